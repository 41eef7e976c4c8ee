"""Handlers import only what they use: cold starts pay for nothing else."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Every handler in the repository: a new function is guarded the day it is added.
FUNCTIONS = sorted(app.parent.name for app in (REPO / "functions").glob("*/app.py"))


def modules_after_importing(function: str) -> set[str]:
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('app', {str(REPO / 'functions' / function / 'app.py')!r})\n"
        "module = importlib.util.module_from_spec(spec); sys.modules['app'] = module\n"
        "spec.loader.exec_module(module)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(REPO / "layers" / "shared")},
    )
    return set(out.stdout.split())


def test_every_handler_is_guarded() -> None:
    assert {"fetch_feeds", "analyze_item", "render_site"} <= set(FUNCTIONS)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_nothing_heavy_or_networked_is_imported_at_start(function: str) -> None:
    loaded = modules_after_importing(function)
    assert "frontline.bootstrap" in loaded
    for heavy in (
        "feedparser",
        "chardet",
        "yaml",
        "boto3",
        "httpx",
        "jinja2",
        "lxml",
        "aws_xray_sdk",
        "moto",
        "pydantic_settings",  # settings are plain pydantic models read from os.environ
        "aws_lambda_powertools.utilities.parser",  # imports every event model it has
        "pagefind",  # the search index is built on use, by render_site only
        "frontline.site",  # templates and renderers load when a render runs
    ):
        assert heavy not in loaded, f"{function} imports {heavy} at start"
