"""The package's import graph: no cycles, and the dependency direction the design states.

Every `import` counts, also those inside functions (a lazy import is still a dependency);
only `if TYPE_CHECKING:` blocks are left out, since they never run. `from package import
submodule` is an edge to the submodule, as import-linter and pydeps count it.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "layers" / "shared" / "frontline"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(child) for body in node.body for child in ast.walk(body)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from package import submodule` depends on the submodule (as import-linter counts)
            submodules = [f"{node.module}.{alias.name}" for alias in node.names]
            names = [name for name in submodules if name in modules] or [node.module]
        found |= {name for name in names if name in modules}
    return found


def graph() -> dict[str, set[str]]:
    paths = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    modules = set(paths)
    return {name: imports_of(path, modules) - {name} for name, path in paths.items()}


def test_the_package_has_no_import_cycle() -> None:
    try:
        tuple(TopologicalSorter(graph()).static_order())
    except CycleError as exc:  # pragma: no cover - the message names the cycle
        pytest.fail(f"import cycle: {' → '.join(exc.args[1])}")


def test_the_domain_imports_nothing_above_it() -> None:
    for name, imported in graph().items():
        if name.startswith("frontline.domain"):
            assert all(i.startswith("frontline.domain") for i in imported), (name, imported)


def test_only_the_composition_root_builds_concrete_llm_clients() -> None:
    clients = {"frontline.adapters.bedrock", "frontline.adapters.openai_compat"}
    importers = {name for name, imported in graph().items() if imported & clients}
    assert importers == {"frontline.bootstrap"}


def test_the_clients_take_only_the_conversation_types_from_the_analysis() -> None:
    for client in ("frontline.adapters.bedrock", "frontline.adapters.openai_compat"):
        analysis = {i for i in graph()[client] if i.startswith("frontline.analysis")}
        assert analysis <= {"frontline.analysis.conversation"}, (client, analysis)
    assert not graph()["frontline.analysis.conversation"] - {"frontline.domain.ports"}


def test_a_cycle_would_be_found() -> None:
    cyclic = {"a": {"b"}, "b": {"c"}, "c": {"a"}}
    with pytest.raises(CycleError):
        tuple(TopologicalSorter(cyclic).static_order())
