from pathlib import Path

import pytest

from frontline.config import ConfigurationError, FetchSettings, load_catalogue, load_settings

GOOD = """feeds:
  - id: ai-wire
    name: AI Wire
    url: https://ai-wire.example/feed.xml
    site_url: https://ai-wire.example/
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_catalogue_loads(tmp_path: Path) -> None:
    [source] = load_catalogue(write(tmp_path, GOOD))
    assert source.id == "ai-wire"
    assert source.max_items == 20


def test_bad_field_names_file_entry_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        GOOD
        + "  - id: broken\n    name: Broken\n    url: ftp://x.example/\n    site_url: https://x.example/\n",
    )
    with pytest.raises(ConfigurationError) as error:
        load_catalogue(path)
    message = str(error.value)
    assert str(path) in message
    assert "entry 2 (id 'broken')" in message
    assert "url" in message


def test_unknown_field_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"entry 1.*max_itemz"):
        load_catalogue(write(tmp_path, GOOD + "    max_itemz: 3\n"))


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="duplicate feed id 'ai-wire'"):
        load_catalogue(write(tmp_path, GOOD + GOOD.removeprefix("feeds:\n")))


def test_not_yaml_and_wrong_shape(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not valid YAML"):
        load_catalogue(write(tmp_path, "feeds: [\n"))
    with pytest.raises(ConfigurationError, match="top-level 'feeds:' list"):
        load_catalogue(write(tmp_path, "- a\n"))


def test_the_shipped_catalogue_is_valid() -> None:
    catalogue = load_catalogue(Path(__file__).resolve().parents[2] / "config" / "feeds.yaml")
    assert len(catalogue) >= 30


def test_missing_environment_variable_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, value in {
        "TABLE_NAME": "t",
        "SITE_TITLE": "x",
        "SITE_TAGLINE": "y",
        "CONFIG_DIR": str(tmp_path),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("QUEUE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="QUEUE_URL: Field required"):
        load_settings(FetchSettings)
    monkeypatch.setenv("QUEUE_URL", "https://sqs.example/q")
    monkeypatch.setenv("MAX_CONCURRENCY", "zero")
    with pytest.raises(ConfigurationError, match="MAX_CONCURRENCY"):
        load_settings(FetchSettings)
