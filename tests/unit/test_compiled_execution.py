"""The compiled execution's pieces (docs/architecture.md, "How a query is executed") on a
small schema: plans read basic fields as attributes and call resolvers with a real info,
literal arguments are coerced once, @skip/@include variables key the plan, dataloaders batch
as under graphql-core, and any error falls back to graphql-core's standard execution."""
from __future__ import annotations

import asyncio
import warnings
from enum import Enum
from typing import Any

import pytest
import strawberry
from aiodataloader import DataLoader
from graphql import GraphQLError, GraphQLInt, GraphQLString, parse
from strawberry.types import Info

from schema.compiled import CompiledExecutor, awaitables, with_plans
from schema.compiled.awaitables import is_awaitable
from schema.compiled.complete import Invalid, leaf, non_null, non_null_leaf
from schema.compiled.drive import later
from schema.compiled.plan import skip_include_variables


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.interface
class Thing:
    id: strawberry.ID


@strawberry.type
class Part(Thing):
    name: str
    colour: Colour
    paths: strawberry.Private[list[Any]]

    @strawberry.field
    def label(self, info: Info, prefix: str = ">") -> str:
        self.paths.append(info.path.as_list())
        return prefix + self.name

    @strawberry.field
    async def twin(self, info: Info) -> Part | None:
        return await info.context["loader"].load(self.id)  # type: ignore[no-any-return]

    @strawberry.field
    def sibling(self, info: Info) -> Part | None:
        """The loader's future and a plain function of it (`later`): no task of its own."""
        return later(info.context["loader"].load(self.id), lambda part: part)

    @strawberry.field
    def broken(self) -> str | None:
        raise ValueError("boom")

    @strawberry.field
    async def shared(self, info: Info) -> str:
        """Holds the context's lock across a turn of the loop, as a read holds the request's
        connection across its statement."""
        context = info.context
        context["started"].append(self.id)
        context["log"].append(("start", self.id))
        async with context["lock"]:
            await asyncio.sleep(0)
            await asyncio.sleep(0)
        context["finished"].append(self.id)
        context["log"].append(("end", self.id))
        if self.id == context.get("fail_at"):
            raise ValueError("late boom")
        return f"s{self.id}"

    @strawberry.field
    def missing(self) -> str:
        return None  # type: ignore[return-value]


def _part(n: int, paths: list[Any]) -> Part:
    return Part(id=strawberry.ID(str(n)), name=f"p{n}", colour=Colour.BLUE, paths=paths)


@strawberry.type
class Query:
    @strawberry.field
    def parts(self, info: Info, count: int = 3) -> list[Part]:
        return [_part(n, info.context["paths"]) for n in range(count)]

    @strawberry.field
    def thing(self, info: Info, id: strawberry.ID) -> Thing | None:
        return _part(int(id), info.context["paths"]) if id != "0" else None


def _schema(compiled: bool, size: int = 16) -> strawberry.Schema:
    return strawberry.Schema(Query, types=[Part], execution_context_class=with_plans(
        CompiledExecutor, compiled, size))


class Batches:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    async def load(self, keys: list[str]) -> list[Part]:
        self.calls.append(list(keys))
        return [_part(int(k) + 100, []) for k in keys]


async def _both(query: str, variables: dict[str, Any] | None = None) -> tuple[Any, Any, Any]:
    """(compiled result, standard result, compiled schema) of one document."""
    results = []
    schemas = [_schema(True), _schema(False)]
    for schema in schemas:
        batches = Batches()
        context = {"loader": DataLoader(batches.load), "paths": [], "batches": batches}
        result = await schema.execute(query, variable_values=variables, context_value=context)
        results.append((result, context))
    return results[0], results[1], schemas[0]


def _plans(schema: strawberry.Schema) -> Any:
    return schema.execution_context_class.plans  # type: ignore[attr-defined]


async def test_basic_fields_are_attribute_reads_and_resolvers_get_their_real_info() -> None:
    query = """query($p: String!) { parts { id name colour label(prefix: "#")
      other: label(prefix: $p) twin { name } } }"""
    (compiled, c_ctx), (standard, s_ctx), schema = await _both(query, {"p": "@"})
    assert compiled.data == standard.data and compiled.errors is None
    assert compiled.data["parts"][1] == {"id": "1", "name": "p1", "colour": "BLUE",
                                         "label": "#p1", "other": "@p1",
                                         "twin": {"name": "p101"}}
    assert c_ctx["paths"] == s_ctx["paths"] and ["parts", 2, "other"] in c_ctx["paths"]
    [(_, root)] = _plans(schema).plans._items.values()
    parts = root.fields[0]
    assert parts.attr is None and parts.args == {"count": 3}
    fields = {f.key: f for f in parts.subplans[schema._schema.get_type("Part")].fields}
    assert [f.attr for f in fields.values()] == ["id", "name", "colour", None, None, None]
    # twin has no arguments: its resolver is called without strawberry's wrapper
    assert fields["twin"].direct is not None and fields["label"].direct is None
    assert fields["label"].args == {"prefix": "#"}  # coerced once, at compile time
    assert fields["other"].args is None  # a variable: coerced per request
    assert _plans(schema).fallbacks == 0


async def test_skip_and_include_variables_key_the_plan() -> None:
    query = """query($a: Boolean!, $b: Boolean!) { parts(count: 1) { name @include(if: $a)
      ...F } } fragment F on Part { colour @skip(if: $b) }"""
    assert skip_include_variables(parse(query)) == ("a", "b")
    schema = _schema(True)
    context = {"paths": []}
    answers = []
    for a, b in ((True, True), (False, False), (True, True)):
        result = await schema.execute(query, variable_values={"a": a, "b": b},
                                      context_value=context)
        answers.append(result.data["parts"][0])
    assert answers == [{"name": "p0"}, {"colour": "BLUE"}, {"name": "p0"}]
    assert len(_plans(schema).plans) == 2  # by document text and the two variables' values


async def test_dataloaders_batch_across_a_list_as_under_graphql_core() -> None:
    query = "{ parts(count: 5) { twin { name twin { name } } } }"
    (compiled, c_ctx), (standard, s_ctx), _ = await _both(query)
    assert compiled.data == standard.data and compiled.errors is None
    assert c_ctx["batches"].calls == s_ctx["batches"].calls
    assert len(c_ctx["batches"].calls) == 2  # one batch per level


async def test_abstract_types_aliases_and_typename() -> None:
    query = """{ __typename a: thing(id: "4") { __typename id ... on Part { n: name } }
      b: thing(id: "0") { id } }"""
    (compiled, _), (standard, _), schema = await _both(query)
    assert compiled.data == standard.data == {
        "__typename": "Query", "a": {"__typename": "Part", "id": "4", "n": "p4"}, "b": None}
    assert _plans(schema).fallbacks == 0


@pytest.mark.parametrize("field", ["broken", "missing"])
async def test_an_error_runs_graphql_cores_standard_execution(field: str) -> None:
    query = f"{{ parts(count: 2) {{ name twin {{ name }} {field} }} }}"
    (compiled, _), (standard, _), schema = await _both(query)
    assert compiled.data == standard.data
    assert [e.formatted for e in compiled.errors] == [e.formatted for e in standard.errors]
    assert len(compiled.errors) == {"broken": 2, "missing": 1}[field]  # missing: null propagates
    assert _plans(schema).fallbacks == 1


async def test_the_plan_cache_is_bounded_and_can_be_off() -> None:
    schema = _schema(True, size=2)
    for count in range(5):
        await schema.execute(f"{{ parts(count: {count}) {{ name }} }}",
                             context_value={"paths": []})
    assert len(_plans(schema).plans) == 2
    assert _plans(_schema(False)) is None


class Sync:
    @staticmethod
    def is_awaitable(value: Any) -> bool:
        return False


def test_completers_refuse_what_graphql_core_reports_as_a_field_error() -> None:
    complete = non_null(leaf(GraphQLString))
    assert complete(Sync, None, "x", None, None) == "x"  # type: ignore[arg-type]
    with pytest.raises(Invalid):
        complete(Sync, None, None, None, None)  # type: ignore[arg-type]
    assert leaf(GraphQLString)(Sync, None, None, None, None) is None  # type: ignore[arg-type]


def test_a_non_null_leaf_in_one_call_serializes_as_graphql_core() -> None:
    ints, strings = non_null_leaf(GraphQLInt), non_null_leaf(GraphQLString)
    for value in (7, -2**31, 2**31 - 1, True, 3.0):
        assert ints(Sync, None, value, None, None) == GraphQLInt.serialize(value)  # type: ignore[arg-type]
    for value in (2**31, -2**31 - 1, 2.5):  # graphql-core's field errors
        with pytest.raises(GraphQLError):
            ints(Sync, None, value, None, None)  # type: ignore[arg-type]
    assert strings(Sync, None, Colour.RED.value, None, None) == "red"  # type: ignore[arg-type]
    assert strings(Sync, None, 12, None, None) == "12"  # type: ignore[arg-type]
    for value in (None, ValueError("boom")):
        with pytest.raises((Invalid, ValueError)):
            strings(Sync, None, value, None, None)  # type: ignore[arg-type]


def _shared_context(**extra: Any) -> dict[str, Any]:
    return {"loader": DataLoader(Batches().load), "paths": [], "lock": asyncio.Lock(),
            "started": [], "finished": [], "log": [], **extra}


async def _tasks_made(schema: strawberry.Schema, query: str) -> tuple[Any, int]:
    loop = asyncio.get_running_loop()
    made = 0

    def factory(loop: Any, coro: Any, **kwargs: Any) -> Any:
        nonlocal made
        made += 1
        return asyncio.Task(coro, loop=loop, **kwargs)

    loop.set_task_factory(factory)
    try:
        result = await schema.execute(query, context_value=_shared_context())
    finally:
        loop.set_task_factory(None)
    return result, made


async def test_loader_backed_fields_cost_no_task_each() -> None:
    """schema/compiled/drive.py: a field returning `later(loader future, function)` is waited
    on by the driver, no task and no gathering coroutine, so the tasks of an execution do not
    grow with the number of such fields (a coroutine resolver still gets its own task)."""
    query = "{{ parts(count: {n}) {{ name sibling {{ name sibling {{ name }} }} }} }}"
    compiled = _schema(True)
    small, small_tasks = await _tasks_made(compiled, query.format(n=2))
    large, large_tasks = await _tasks_made(compiled, query.format(n=30))
    standard, standard_tasks = await _tasks_made(_schema(False), query.format(n=30))
    assert large.errors is None and large.data == standard.data
    assert large.data["parts"][3]["sibling"]["sibling"] == {"name": "p203"}
    # what is left: the dataloader's task per batch (two levels) and strawberry's own
    assert large_tasks == small_tasks <= 4, (small_tasks, large_tasks)
    assert standard_tasks >= 30  # graphql-core: a task per awaited field (what this saves)
    _, coroutine_tasks = await _tasks_made(compiled, "{ parts(count: 30) { shared } }")
    assert coroutine_tasks >= 30  # coroutines keep their own task
    assert _plans(compiled).fallbacks == 0


async def test_a_resolver_waiting_on_a_lock_another_holds_runs_when_it_is_released() -> None:
    context = _shared_context()
    result = await _schema(True).execute("{ parts(count: 6) { shared } }",
                                         context_value=context)
    assert result.errors is None
    assert result.data == {"parts": [{"shared": f"s{n}"} for n in range(6)]}
    assert sorted(context["finished"]) == [str(n) for n in range(6)]


async def test_after_a_late_failure_started_resolvers_run_to_their_end() -> None:
    """A resolver failing while its siblings hold the lock mid-statement: they finish (no
    coroutine abandoned inside its `async with`), then graphql-core answers."""
    schema = _schema(True)
    context = _shared_context(fail_at="1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a coroutine never awaited would warn
        result = await schema.execute("{ parts(count: 4) { name shared } }",
                                      context_value=context)
    standard = await _schema(False).execute("{ parts(count: 4) { name shared } }",
                                            context_value=_shared_context(fail_at="1"))
    assert result.data == standard.data
    assert [e.formatted for e in result.errors] == [e.formatted for e in standard.errors]
    assert _plans(schema).fallbacks == 1
    # the compiled attempt ran all four to their end before the standard run started
    # (which, as graphql-core does, cancels the siblings of the failed one)
    attempt = context["log"][:8]
    assert sorted(attempt) == sorted([(kind, str(n)) for n in range(4)
                                      for kind in ("start", "end")]), context["log"]
    assert not context["lock"].locked()


@strawberry.type
class Slow:
    @strawberry.field
    async def wait(self, info: Info) -> str:
        try:
            await info.context["gate"]
            return "never"
        finally:
            info.context["ended"].append("wait")


@strawberry.type
class SlowQuery:
    @strawberry.field
    def slows(self) -> list[Slow]:
        return [Slow(), Slow()]


async def test_a_cancelled_execution_cancels_what_its_resolvers_wait_on() -> None:
    context = {"gate": asyncio.get_running_loop().create_future(), "ended": []}
    schema = strawberry.Schema(SlowQuery, execution_context_class=with_plans(
        CompiledExecutor, True, 8))
    execution = asyncio.ensure_future(schema.execute("{ slows { wait } }",
                                                     context_value=context))
    for _ in range(5):
        await asyncio.sleep(0)
    execution.cancel()
    with pytest.raises(asyncio.CancelledError):
        await execution
    assert context["gate"].cancelled() and context["ended"] == ["wait", "wait"]


@strawberry.type
class Figures:
    small: int
    big: int
    flag: bool
    text: str


@strawberry.type
class FiguresQuery:
    @strawberry.field
    def figures(self, big: int = 0) -> Figures:
        return Figures(small=7, big=2**31 + big, flag=True, text="t")


async def test_a_runner_stores_exact_scalars_and_leaves_the_rest_to_graphql_core() -> None:
    """The generated runner (schema/compiled/runner.py) keeps a 32-bit Int, a bool and a str as
    they are; an Int past 32 bits is graphql-core's field error, from the standard path."""
    schema = strawberry.Schema(FiguresQuery, execution_context_class=with_plans(
        CompiledExecutor, True, 16))
    ok = await schema.execute("{ figures { small flag text } }")
    assert ok.data == {"figures": {"small": 7, "flag": True, "text": "t"}} and not ok.errors
    wrong = await schema.execute("{ figures { small big } }")
    assert wrong.data is None and wrong.errors
    assert "Int cannot represent non 32-bit signed integer" in wrong.errors[0].message
    assert wrong.errors[0].path == ["figures", "big"]
    assert _plans(schema).fallbacks == 1


def test_is_awaitable_remembers_no_only_for_ordinary_classes() -> None:
    class Plain:
        pass

    class Awaitable:
        def __await__(self) -> Any:
            yield

    class Dynamic:
        def __getattr__(self, name: str) -> Any:
            if name == "__await__":
                return lambda: iter(())
            raise AttributeError(name)

    assert not is_awaitable(Plain()) and Plain in awaitables._never
    assert is_awaitable(Awaitable()) and Awaitable not in awaitables._never
    assert is_awaitable(Dynamic()) and Dynamic not in awaitables._never  # as graphql-core says

    async def coroutine() -> None:
        return None

    running, loop = coroutine(), asyncio.new_event_loop()
    try:
        assert is_awaitable(running) and is_awaitable(later(loop.create_future(), str))
    finally:
        running.close()
        loop.close()
