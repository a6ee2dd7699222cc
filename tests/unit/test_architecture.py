"""The direction of travel (docs/architecture.md): domain/ imports only the standard library and
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


# --- The top level shows the layers (issue 9): which entries, which way imports go, how big.

# The eight folders and modules the project was specified with, plus at most four more, each a
# layer the README's Layout section names.
SPECIFIED = {"app.py", "schema", "resolvers", "dataloaders", "domain", "persistence",
             "migrations", "tests"}
LAYERS_BESIDE = {"settings.py", "adapters", "web", "ops"}
# Top-level folders holding no shipped code (benchmarks are scripts run by hand).
NOT_CODE = {"bench", "docs", "build"}

# resolvers/ are plain Python use-case entry points (docs/architecture.md, "The seam between
# schema and resolvers"): none of these, at module level or inside a function.
NOT_IN_RESOLVERS = {"strawberry", "graphql", "schema", "persistence"}

# Modules over MAX_LINES, each capped at its current length so none can grow (none today:
# split a module before it reaches the cap).
MAX_LINES = 400
OVERSIZED: dict[str, int] = {}


def top_level_code_entries() -> set[str]:
    entries = set()
    for path in ROOT.iterdir():
        if path.name.startswith(".") or path.name in NOT_CODE:
            continue
        if path.is_file() and path.suffix == ".py":
            entries.add(path.name)
        elif path.is_dir() and any(path.rglob("*.py")):
            entries.add(path.name)
    return entries


def code_files() -> list[Path]:
    return [p for p in sorted(ROOT.rglob("*.py"))
            if not (set(p.relative_to(ROOT).parts) & {".venv", "build", "__pycache__"})
            and not p.relative_to(ROOT).parts[0].startswith(".")]


def package_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Top-level package -> the top-level packages it imports (anywhere in its modules:
    module level, inside functions, under TYPE_CHECKING). Tests and benchmarks are left out:
    they may import every layer."""
    names = {p.name.removesuffix(".py") for p in root.iterdir()
             if not p.name.startswith(".") and p.name not in NOT_CODE | {"tests"}
             and ((p.is_file() and p.suffix == ".py") or (p.is_dir() and any(p.rglob("*.py"))))}
    graph: dict[str, set[str]] = {name: set() for name in names}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        package = parts[0].removesuffix(".py")
        if package not in names or {".venv", "build"} & set(parts):
            continue
        graph[package] |= (imported_roots(path) & names) - {package}
    return graph


def cycle_in(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path [a, b, ..., a], or None when it is acyclic."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (found := visit(target)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_the_top_level_is_the_specified_layers_and_at_most_four_more() -> None:
    assert len(LAYERS_BESIDE) <= 4
    assert top_level_code_entries() == SPECIFIED | LAYERS_BESIDE


def test_no_import_cycle_between_top_level_packages() -> None:
    """Not even the schema <-> resolvers one: resolvers/ never import schema/."""
    assert cycle_in(package_graph()) is None


def resolver_offenders(root: Path = ROOT) -> dict[str, list[str]]:
    """resolvers/ modules (paths from `root`) importing what they must not."""
    return {path.relative_to(root).as_posix(): sorted(found)
            for path in sorted((root / "resolvers").rglob("*.py"))
            if (found := imported_roots(path) & NOT_IN_RESOLVERS)}


def test_resolvers_import_neither_strawberry_graphql_schema_nor_persistence() -> None:
    assert resolver_offenders() == {}


def test_the_resolver_check_sees_a_violation(tmp_path: Path) -> None:
    (tmp_path / "resolvers").mkdir()
    (tmp_path / "resolvers" / "plain.py").write_text("from domain.ids import decode_pk\n")
    (tmp_path / "resolvers" / "bad.py").write_text(
        "import strawberry\n\ndef f():\n    from persistence.reads import catalog\n"
        "    from schema.common import Money\n")
    assert resolver_offenders(tmp_path) == {
        "resolvers/bad.py": ["persistence", "schema", "strawberry"]}


def test_the_cycle_check_sees_a_cycle_inside_a_function(tmp_path: Path) -> None:
    for package in ("alpha", "beta"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "alpha" / "a.py").write_text("import beta.b\n")
    (tmp_path / "beta" / "b.py").write_text("def f():\n    from alpha.a import x\n")
    graph = package_graph(tmp_path)
    assert graph == {"alpha": {"beta"}, "beta": {"alpha"}}
    assert cycle_in(graph) == ["alpha", "beta", "alpha"]
    assert cycle_in({"alpha": {"beta"}, "beta": set()}) is None


def test_no_module_over_400_lines_outside_migrations() -> None:
    too_long = {}
    for path in code_files():
        relative = path.relative_to(ROOT)
        if relative.parts[0] == "migrations":
            continue
        lines = len(path.read_text().splitlines())
        if lines > OVERSIZED.get(relative.as_posix(), MAX_LINES):
            too_long[relative.as_posix()] = lines
    assert too_long == {}


def test_domain_declares_ports_and_holds_no_network_adapter() -> None:
    """Sending mail, HTTP calls and the like are adapters (adapters/mail.py implements the
    Mailer port of domain/outbox/dispatch.py); domain/ only declares what it needs."""
    network = {"smtplib", "socket", "ssl", "http.client", "urllib.request", "ftplib",
               "imaplib", "poplib", "subprocess"}
    offenders = {}
    for path in sorted((ROOT / "domain").rglob("*.py")):
        found = imported_modules(path) & network
        if found:
            offenders[str(path.relative_to(ROOT))] = sorted(found)
    assert offenders == {}


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, by its full dotted name."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules
