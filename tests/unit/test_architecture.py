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


def imported_test_modules(path: Path) -> list[str]:
    """The `test_*` modules `path` imports (absolute or relative, as a module or from its
    package): shared test code lives in tests/support/, fixtures in conftest.py files
    (docs/conventions.md)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if is_test_module(alias.name)]
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            if is_test_module(module):
                found.append(module)
                continue
            package = path.parents[node.level - 1] if node.level else ROOT
            package = package.joinpath(*(node.module or "").split(".")) if node.module else package
            found += [f"{module}{'' if module.endswith('.') else '.'}{alias.name}"
                      for alias in node.names if alias.name.startswith("test_")
                      and (package / f"{alias.name}.py").is_file()]
    return found


def is_test_module(name: str) -> bool:
    return any(part.startswith("test_") for part in name.split("."))


def test_no_test_module_imports_another_test_module() -> None:
    offenders = {str(p.relative_to(ROOT)): imported_test_modules(p)
                 for p in sorted((ROOT / "tests").rglob("*.py")) if imported_test_modules(p)}
    assert offenders == {}


def test_the_test_import_check_sees_a_violation(tmp_path: Path) -> None:
    (tmp_path / "test_cart.py").write_text("")
    bad = tmp_path / "test_bad.py"
    bad.write_text("from tests.api.test_orders import checkout\nfrom . import test_cart\n"
                   "import tests.unit.test_pricing\nfrom tests.api import test_tokens\n"
                   "from tests.support.database import test_database_url\n")
    assert imported_test_modules(bad) == [
        "tests.api.test_orders", ".test_cart", "tests.unit.test_pricing",
        "tests.api.test_tokens"]


def any_typed_units_of_work(source: str) -> list[str]:
    """Functions whose `uow` parameter is unannotated or annotated `Any` (typing.Any too)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = node.args
            for arg in args.posonlyargs + args.args + args.kwonlyargs:
                if arg.arg != "uow" or isinstance(node, ast.Lambda):
                    continue
                note = arg.annotation
                if note is None or "Any" in ast.unparse(note).replace("'", "").split("."):
                    found.append(f"{node.name}:{node.lineno}")
    return found


def test_domain_units_of_work_are_typed_by_their_ports() -> None:
    offenders = {str(p.relative_to(ROOT)): found
                 for p in sorted((ROOT / "domain").rglob("*.py"))
                 if (found := any_typed_units_of_work(p.read_text()))}
    assert offenders == {}
    ports = (ROOT / "domain" / "ports.py").read_text()
    unit_of_work = next(n for n in ast.walk(ast.parse(ports))
                        if isinstance(n, ast.ClassDef) and n.name == "UnitOfWork")
    assert "Any" not in ast.unparse(unit_of_work)
    assert any_typed_units_of_work("async def f(uow: Any): ...\n"
                                   "def g(x, *, uow: typing.Any): ...\n"
                                   "def h(uow): ...\ndef ok(uow: UnitOfWork): ...") == [
        "f:1", "g:2", "h:3"]
