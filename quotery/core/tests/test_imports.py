"""core is the ground floor (ARCH.md): none of its modules imports another app."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_core_imports_no_other_app() -> None:
    # given every module of core but its tests and migrations (which may import anything)
    modules = [
        path
        for path in CORE.rglob("*.py")
        if not {"tests", "migrations"} & set(path.relative_to(CORE).parts)
    ]
    assert CORE / "tasks.py" in modules

    # when their imports (at module level or inside functions) are read
    upward = sorted(
        f"{path.relative_to(CORE)} imports {name}"
        for path in modules
        for name in imported_modules(path)
        if name.startswith("quotery.") and not name.startswith("quotery.core")
    )

    # then none names another quotery app
    assert upward == []
