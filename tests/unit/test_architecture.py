"""The direction of travel (architecture.md): domain/ imports only the standard library and
itself; nothing outside persistence/ (and the composition/test code) writes SQL."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_domain_imports_only_the_standard_library_and_itself() -> None:
    offenders = {}
    for path in sorted((ROOT / "domain").rglob("*.py")):
        foreign = {r for r in imported_roots(path)
                   if r != "domain" and r not in sys.stdlib_module_names}
        if foreign:
            offenders[str(path.relative_to(ROOT))] = sorted(foreign)
    assert offenders == {}


def test_resolvers_and_schema_do_not_import_sqlalchemy() -> None:
    offenders = [str(p.relative_to(ROOT)) for folder in ("schema", "resolvers")
                 for p in sorted((ROOT / folder).rglob("*.py"))
                 if "sqlalchemy" in imported_roots(p)]
    assert offenders == []


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlalchemy\nfrom strawberry import type\n")
    assert {"sqlalchemy", "strawberry"} <= imported_roots(bad)
