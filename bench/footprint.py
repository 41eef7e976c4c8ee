"""Cold-start footprint: handler import times and the sizes of what `sam build` produces.

`imports`: each functions/<name>/app.py is imported by file, as Lambda does, in a fresh
interpreter (the project's Python, `PYTHONPATH=layers/shared`, `-X frozen_modules=on`, no
bytecode writing, after one untimed run so .pyc files exist as in the deployed layer); the
time around the import is taken 5 times and the median reported: wall time (perf_counter,
`import_ms_<function>`) and CPU time (process_time, `import_cpu_ms_<function>`). On an idle
machine they agree; on a shared one, wall time also counts the neighbours' work.

`sizes`: runs `sam build` unless .aws-sam/build is newer than template.yaml and
layers/*/requirements.txt, then reports the unzipped size of the shared layer
(.aws-sam/build/SharedLayer), of the extract layer when it is built, of the search layer
(unzipped and zipped) with render_site's total against Lambda's 250 MB, and the largest
function's zip, zipping each function's build folder in memory (deflate, level 6).
"""

# ruff: noqa: S603 - runs the project's own interpreter and sam on fixed arguments

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BUILD = REPO / ".aws-sam" / "build"
FUNCTIONS = sorted(app.parent.name for app in (REPO / "functions").glob("*/app.py"))
RUNS = 5
REGION = "ap-northeast-1"

_IMPORT = """
import importlib.util, sys, time
started, cpu = time.perf_counter(), time.process_time()
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
sys.modules["app"] = module
spec.loader.exec_module(module)
print((time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000)
"""


def import_ms(function: str) -> tuple[float, float]:
    """Median wall time and median CPU time of the handler's import, in ms."""
    env = os.environ | {"PYTHONPATH": str(REPO / "layers" / "shared")}
    app = str(REPO / "functions" / function / "app.py")
    command = [sys.executable, "-X", "frozen_modules=on", "-c", _IMPORT, app]
    subprocess.run(command, env=env, check=True, capture_output=True)  # writes the .pyc files
    runs = [
        subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout.split()
        for _ in range(RUNS)
    ]
    wall = statistics.median(float(run[0]) for run in runs)
    cpu = statistics.median(float(run[1]) for run in runs)
    return round(wall, 1), round(cpu, 1)


def imports() -> dict[str, Any]:
    results: dict[str, Any] = {}
    for function in FUNCTIONS:
        wall, cpu = import_ms(function)
        results[f"import_ms_{function}"] = wall
        results[f"import_cpu_ms_{function}"] = cpu
    return results


def folder_bytes(path: Path) -> int:
    return sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file())


def zipped_bytes(path: Path) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for entry in sorted(path.rglob("*")):
            if entry.is_file():
                archive.write(entry, entry.relative_to(path))
    return buffer.tell()


def build_is_fresh() -> bool:
    if not (BUILD / "SharedLayer").is_dir():
        return False
    built = (BUILD / "template.yaml").stat().st_mtime
    sources = [REPO / "template.yaml", *REPO.glob("layers/*/requirements.txt")]
    return all(source.stat().st_mtime < built for source in sources)


def sizes() -> dict[str, Any]:
    if not build_is_fresh():
        sam = REPO / ".venv" / "bin" / "sam"
        subprocess.run(
            [str(sam), "build", "--region", REGION],
            cwd=REPO,
            check=True,
            # sam looks for python3.13 on PATH: the project's venv has it, as `make` sets up.
            env=os.environ | {"PATH": f"{sam.parent}{os.pathsep}{os.environ.get('PATH', '')}"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
    functions = [path for path in BUILD.iterdir() if path.name.endswith("Function")]
    results: dict[str, Any] = {
        "layer_unzipped_mb": round(folder_bytes(BUILD / "SharedLayer") / 2**20, 2),
        "function_zip_kb_max": round(max(zipped_bytes(path) for path in functions) / 1024, 1),
    }
    if (BUILD / "ExtractLayer").is_dir():
        results["extract_layer_unzipped_mb"] = round(
            folder_bytes(BUILD / "ExtractLayer") / 2**20, 2
        )
    if (BUILD / "SearchLayer").is_dir():  # Pagefind: render_site only
        search = BUILD / "SearchLayer"
        results["search_layer_unzipped_mb"] = round(folder_bytes(search) / 2**20, 2)
        results["search_layer_zip_mb"] = round(zipped_bytes(search) / 2**20, 2)
        # Lambda's limit: function and layers unzipped together within 250 MB
        results["render_site_unzipped_mb"] = round(
            sum(folder_bytes(BUILD / name) for name in ("SharedLayer", "SearchLayer")) / 2**20
            + folder_bytes(REPO / "config") / 2**20
            + folder_bytes(BUILD / "RenderSiteFunction") / 2**20,
            2,
        )
    return results


if __name__ == "__main__":
    part = sys.argv[1] if len(sys.argv) > 1 else "imports"
    print(json.dumps({"imports": imports, "sizes": sizes}[part]()))
