"""The runner of an object plan (docs/architecture.md, "How a query is executed"): one Python
function per (object type, selection), generated when the plan is built, that fills in the
object's response keys in order, each field's way decided in advance:

- `__typename`: the type's name;
- a plain attribute: `source.<attr>`; a strawberry resolver called directly: the call its
  wrapper would make, written out from its `Direct` (`function(source, info=Info(...))`);
  any other field: its GraphQL resolver with a real info and its arguments (coerced once,
  or per request when they read variables);
- a non-null String, ID or Boolean (or a 32-bit Int) whose value already has that exact type
  is stored as it is (graphql-core's serializers give it back unchanged); any other value goes
  to the field's completer, or, when it is awaitable, to the driver (`complete_later`).

This is what the generic loop over the plan's fields did per field and per object (reading each
field plan's settings, calling `is_awaitable` on every value); the generated function does it
once per plan. Only field plans, completers and resolvers are referenced: a runner holds no
request state."""
from __future__ import annotations

import keyword
from typing import TYPE_CHECKING, Any, Callable

from graphql import is_leaf_type, is_non_null_type
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path
from graphql.type.scalars import serialize_int

from schema.compiled.complete import INT32_MAX, INT32_MIN, UNCHANGED, new_path

if TYPE_CHECKING:
    from schema.compiled.plan import FieldPlan, ObjectPlan

# (executor, source, path) -> the object's response data
Runner = Callable[[Any, Any, Any], dict[str, Any]]


class LazyResolveInfo:
    """The GraphQLResolveInfo of a field resolved on the compiled path, built on first use:
    most resolvers read only `info.context` (the loaders), which is at hand."""

    __slots__ = ("context", "_executor", "_field", "_parent", "_path", "_info")

    def __init__(self, executor: Any, field: FieldPlan, parent: Any, path: Any) -> None:
        self.context = executor.context_value
        self._executor, self._field, self._parent, self._path = executor, field, parent, path
        self._info: Any = None

    def __getattr__(self, name: str) -> Any:
        info = self._info
        if info is None:
            field = self._field
            info = self._info = self._executor.build_resolve_info(
                field.field_def, field.nodes, self._parent, self._path)
        return getattr(info, name)




def _stored_as_is(field: FieldPlan) -> str | None:
    """The test under which a value of a non-null leaf field is its own completed value (as
    schema/compiled/complete.py's non_null_leaf decides), or None."""
    type_ = field.field_def.type  # type: ignore[union-attr]
    if not is_non_null_type(type_) or not is_leaf_type(type_.of_type):  # type: ignore[union-attr]
        return None
    coerce = type_.of_type.coerce_output_value  # type: ignore[union-attr]
    if coerce is serialize_int:
        return f"type(v) is int and {INT32_MIN} <= v <= {INT32_MAX}"
    same = UNCHANGED.get(coerce)
    return f"type(v) is {same.__name__}" if same else None


def build_runner(plan: ObjectPlan) -> Runner:
    """The generated runner of `plan`."""
    env: dict[str, Any] = {"Path": Path, "new_path": new_path,
                           "LazyResolveInfo": LazyResolveInfo, "PARENT": plan.type,
                           "TYPE_NAME": plan.type_name,
                           "get_argument_values": get_argument_values}
    lines = ["def run(ex, source, path):", "    aw = ex.is_awaitable", "    data = {}"]
    for i, field in enumerate(plan.fields):
        env[f"K{i}"], env[f"F{i}"], env[f"C{i}"] = field.key, field, field.complete
        if field.typename:
            lines.append(f"    data[K{i}] = TYPE_NAME")
            continue
        lines.append(f"    p = new_path(Path, (path, K{i}, TYPE_NAME))" if field.needs_path else
                     "    p = None")
        lines += _value_lines(field, i, env)
        test = _stored_as_is(field)
        if test is not None:
            lines += [f"    if {test}:", f"        data[K{i}] = v", "    elif aw(v):"]
        else:
            lines.append("    if aw(v):")
        lines += [f"        data[K{i}] = None",
                  f"        ex.complete_later(v, C{i}, data, K{i}, F{i}, p, info)",
                  "    else:",
                  f"        data[K{i}] = C{i}(ex, F{i}, v, p, info)"]
    lines.append("    return data")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(lines), f"<runner of {plan.type_name}>", "exec"), env,  # noqa: S102
         namespace)
    return namespace["run"]  # type: ignore[no-any-return]


def _value_lines(field: FieldPlan, i: int, env: dict[str, Any]) -> list[str]:
    """Lines that set `info` and the field's resolved value `v`."""
    if field.resolve is not None:
        env[f"R{i}"] = field.resolve
        lines = [f"    info = ex.build_resolve_info(F{i}.field_def, F{i}.nodes, PARENT, p)"]
        if field.args is None:  # its arguments read variables: coerced per request
            return lines + [f"    v = R{i}(source, info, **get_argument_values("
                            f"F{i}.field_def, F{i}.nodes[0], ex.variable_values))"]
        env[f"A{i}"] = field.args
        return lines + [f"    v = R{i}(source, info, **A{i})"]
    lines = [f"    info = LazyResolveInfo(ex, F{i}, PARENT, p)" if field.needs_info else
             "    info = None"]
    if field.attr is not None:
        if field.attr.isidentifier() and not keyword.iskeyword(field.attr) \
                and not field.attr.startswith("__"):
            return lines + [f"    v = source.{field.attr}"]
        env[f"N{i}"] = field.attr
        return lines + [f"    v = getattr(source, N{i})"]
    direct = field.direct
    assert direct is not None  # a field without resolver has an attribute or a Direct
    env[f"D{i}"] = direct.function
    arguments = ["source"] if direct.with_self else []
    arguments += [f"{name}=source" for name in direct.source_names]
    if direct.info_name is not None:  # a strawberry Info on the LazyResolveInfo
        env[f"I{i}"], env[f"S{i}"] = direct.info_class, direct.field
        arguments.append(f"{direct.info_name}=I{i}(_raw_info=info, _field=S{i})")
    return lines + [f"    v = D{i}({', '.join(arguments)})"]
