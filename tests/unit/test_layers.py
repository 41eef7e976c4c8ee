"""The layers' requirements are exported from the lock file and split as the template says."""

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def pins(path: Path) -> dict[str, str]:
    lines = [
        line.strip()
        for line in path.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return dict(line.split("==", 1) for line in lines)


def locked() -> dict[str, str]:
    lock = tomllib.loads((REPO / "uv.lock").read_text())
    return {package["name"]: package["version"] for package in lock["package"]}


def test_layer_requirements_match_the_lock_file() -> None:
    versions = locked()
    for layer in ("shared", "extract", "search"):
        for name, version in pins(REPO / "layers" / layer / "requirements.txt").items():
            assert versions.get(name) == version, (
                f"{layer}: {name}=={version} is not the locked version (run make requirements)"
            )


def test_the_shared_layer_stays_lean() -> None:
    shared = pins(REPO / "layers/shared/requirements.txt")
    # the runtime provides boto3; lxml and readability ship in the worker's own layer,
    # and Pagefind in the renderer's
    assert not {"boto3", "botocore", "lxml", "readability-lxml", "moto", "pagefind"} & shared.keys()
    assert {
        "pydantic",
        "feedparser",
        "httpx",
        "jinja2",
        "nh3",
        "aws-lambda-powertools",
    } <= shared.keys()
    assert {"readability-lxml", "lxml"} <= pins(REPO / "layers/extract/requirements.txt").keys()
    search = pins(REPO / "layers/search/requirements.txt")
    assert search.keys() == {"pagefind", "pagefind-bin-extended"}  # the extended binary
