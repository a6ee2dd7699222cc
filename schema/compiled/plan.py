"""The compiled plan of a query (docs/architecture.md, "How a query is executed").

For one operation and the values of the variables its @skip/@include read, the plan holds
per (object type, selection) the response keys in order and, per field, how to get its value
(a plain attribute read for strawberry fields without resolver, permission or extension; the
field's GraphQL resolver otherwise) and a completer for its return type. Selections are
collected by graphql-core's own collect_fields / collect_subfields, so fragments, inline
fragments, aliases and @skip/@include mean exactly what they mean to graphql-core."""
from __future__ import annotations

from typing import Any, Callable, Hashable

from graphql import (
    DocumentNode, FieldNode, GraphQLField, GraphQLObjectType, GraphQLOutputType,
    OperationDefinitionNode, VariableNode, get_named_type, is_abstract_type, is_leaf_type,
    is_list_type, is_non_null_type, is_object_type)
from graphql.execution.collect_fields import (
    CollectedFields, FieldDetails, collect_fields, collect_subfields)
from graphql.execution.values import get_argument_values
from graphql.language import Visitor, visit
from strawberry.schema.schema_converter import GraphQLCoreConverter

from adapters.lru import LRU

# A completer: (executor, field plan, value, path, info or None) -> value or awaitable.
Completer = Callable[[Any, "FieldPlan", Any, Any, Any], Any]


class Unsupported(Exception):
    """The plan meets something only graphql-core's standard execution handles."""


class FieldPlan:
    __slots__ = ("key", "name", "typename", "attr", "resolve", "field_def", "nodes",
                 "details", "args", "complete", "subplans", "needs_path", "needs_info",
                 "direct")

    def __init__(self, key: str, details: list[FieldDetails]) -> None:
        self.key = key
        self.details = details
        self.nodes: list[FieldNode] = [d.node for d in details]
        self.name = self.nodes[0].name.value
        self.typename = self.name == "__typename"
        self.attr: str | None = None  # read getattr(source, attr), no resolver call
        self.resolve: Any = None
        self.field_def: GraphQLField | None = None
        self.args: dict[str, Any] | None = None  # None: coerce per request (variables)
        self.complete: Completer | None = None
        self.subplans: dict[GraphQLObjectType, ObjectPlan] = {}
        self.needs_path = True  # leaves read as attributes need no path
        self.needs_info = False  # no resolver call, but the completion needs an info
        self.direct: Direct | None = None  # a strawberry resolver called without its wrapper


class ObjectPlan:
    __slots__ = ("type", "type_name", "fields", "run")

    def __init__(self, type_: GraphQLObjectType, fields: list[FieldPlan]) -> None:
        from schema.compiled.runner import build_runner  # the runtime half

        self.type = type_
        self.type_name = type_.name
        self.fields = fields
        self.run = build_runner(self)  # (executor, source, path) -> data


def _basic_attribute(field_def: GraphQLField) -> str | None:
    """The python attribute of a strawberry field strawberry itself resolves as a plain read
    (no resolver, permission classes or field extensions: its `_get_basic_result`)."""
    resolve = field_def.resolve
    if resolve is None or getattr(resolve, "__name__", "") != "_get_basic_result":
        return None
    definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return getattr(definition, "python_name", None)


class Direct:
    """A strawberry resolver without arguments, field extensions, permission classes or
    exception handlers, to be called as strawberry's own wrapper would call it (self / root /
    parent get the source, info a strawberry Info) minus the wrapper's per-call work: the
    object's runner (runner.py) writes the call out."""

    __slots__ = ("function", "with_self", "source_names", "info_name", "info_class", "field")

    def __init__(self, field: Any, info_class: Any) -> None:
        resolver = field.base_resolver
        self.field = field
        self.function = resolver.wrapped_func
        self.with_self = resolver.self_parameter is not None
        self.source_names = tuple(p.name for p in (
            resolver.parent_parameter, resolver.root_parameter) if p is not None)
        self.info_name = resolver.info_parameter.name if resolver.info_parameter else None
        self.info_class = info_class


def _direct(field_def: GraphQLField, schema: Any) -> Direct | None:
    if getattr(field_def.resolve, "__name__", "") not in ("_resolver", "_async_resolver"):
        return None
    field = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    strawberry_schema = getattr(schema, "_strawberry_schema", None)
    if (field is None or strawberry_schema is None or strawberry_schema.exception_handlers
            or field.extensions or field.arguments or field.base_resolver is None
            or field_def.args or not callable(field.base_resolver.wrapped_func)):
        return None
    return Direct(field, strawberry_schema.config.info_class)


def _has_variable(node: Any) -> bool:
    found = False

    class Finder(Visitor):
        def enter_variable(self, *_: Any) -> None:
            nonlocal found
            found = True

    visit(node, Finder())
    return found


class Compiler:
    """Builds object plans for one execution; plans of nested selections are built on first
    use and kept in their field plan, so later requests reuse them."""

    def __init__(self, executor: Any) -> None:
        self.executor = executor

    def root(self) -> ObjectPlan:
        ex = self.executor
        root_type = ex.schema.get_root_type(ex.operation.operation)
        if root_type is None:
            raise Unsupported
        return self._object(root_type, collect_fields(
            ex.schema, ex.fragments, ex.variable_values, root_type, ex.operation,
            ex.hide_suggestions))

    def sub(self, field: FieldPlan, type_: GraphQLObjectType) -> ObjectPlan:
        ex = self.executor
        return self._object(type_, collect_subfields(
            ex.schema, ex.fragments, ex.variable_values, ex.operation, type_, field.details,
            ex.hide_suggestions))

    def _object(self, type_: GraphQLObjectType, collected: CollectedFields) -> ObjectPlan:
        grouped, defer_usages, _forbidden = collected
        if defer_usages:
            raise Unsupported
        fields = []
        for key, details in grouped.items():
            if any(d.defer_usage is not None or d.fragment_variable_values is not None
                   for d in details):
                raise Unsupported
            plan = FieldPlan(key, details)
            if not plan.typename:
                field_def = self.executor.schema.get_field(type_, plan.name)
                if field_def is None:
                    continue  # graphql-core leaves it out too
                self._field(plan, field_def)
            fields.append(plan)
        return ObjectPlan(type_, fields)

    def _field(self, plan: FieldPlan, field_def: GraphQLField) -> None:
        plan.field_def = field_def
        node = plan.nodes[0]
        if any(directive.name.value == "stream" for directive in node.directives or ()):
            raise Unsupported
        plan.attr = _basic_attribute(field_def) if not node.arguments else None
        if plan.attr is None and not node.arguments:
            plan.direct = _direct(field_def, self.executor.schema)
        if plan.attr is None and plan.direct is None:
            plan.resolve = field_def.resolve or self.executor.field_resolver
            if not any(_has_variable(argument.value) for argument in node.arguments or ()):
                plan.args = get_argument_values(field_def, node, self.executor.variable_values)
        plan.complete = completer(field_def.type)
        named = get_named_type(field_def.type)
        plan.needs_info = plan.resolve is None and (
            is_abstract_type(named) or (is_object_type(named) and named.is_type_of is not None)
            or (plan.direct is not None and plan.direct.info_name is not None))
        # a path for resolvers' infos and for the fields below this one
        plan.needs_path = plan.needs_info or plan.resolve is not None or not is_leaf_type(named)


def completer(type_: GraphQLOutputType) -> Completer:
    """The function completing a resolved value of `type_` (graphql-core's complete_value,
    for the success case: anything else raises and the whole operation is re-run)."""
    from schema.compiled import complete  # the runtime half

    if is_non_null_type(type_):
        if is_leaf_type(type_.of_type):  # type: ignore[attr-defined]
            return complete.non_null_leaf(type_.of_type)  # type: ignore[attr-defined]
        return complete.non_null(completer(type_.of_type))  # type: ignore[attr-defined]
    if is_list_type(type_):
        item = type_.of_type  # type: ignore[attr-defined]
        non_null_items = is_non_null_type(item)
        named = item.of_type if non_null_items else item
        if is_object_type(named):
            return complete.list_of_objects(named, non_null_items)
        return complete.list_of(completer(item))
    if is_leaf_type(type_):
        return complete.leaf(type_)
    if is_abstract_type(type_):
        return complete.abstract(type_)
    if is_object_type(type_):
        return complete.object_of(type_)
    raise Unsupported


def skip_include_variables(document: DocumentNode) -> tuple[str, ...]:
    """Names of the variables any @skip/@include of the document reads (they shape the plan)."""
    names: set[str] = set()

    class Finder(Visitor):
        def enter_directive(self, node: Any, *_: Any) -> None:
            if node.name.value in ("skip", "include"):
                for argument in node.arguments or ():
                    if isinstance(argument.value, VariableNode):
                        names.add(argument.value.name.value)

    visit(document, Finder())
    return tuple(sorted(names))


class PlanCache:
    """Root plans by (document text, operation name, values of its @skip/@include
    variables); bounded (LRU). Documents parsed without locations are keyed by the
    operation node's identity, kept alive by the entry."""

    def __init__(self, maxsize: int) -> None:
        self.fallbacks = 0  # operations re-run by the standard execution (tests read it)
        self.plans: LRU[Hashable, tuple[OperationDefinitionNode, ObjectPlan]] = LRU(maxsize)
        self.directive_variables: LRU[Hashable, tuple[OperationDefinitionNode, tuple[str, ...]]]
        self.directive_variables = LRU(maxsize)

    def root(self, executor: Any) -> ObjectPlan:
        operation = executor.operation
        loc = operation.loc
        name = operation.name.value if operation.name else None
        document_key: Hashable = (loc.source.body, name) if loc is not None else id(operation)
        found = self.directive_variables.get(document_key)
        if found is None or (loc is None and found[0] is not operation):
            document = DocumentNode(definitions=(
                operation, *(f.definition for f in executor.fragments.values())))
            found = (operation, skip_include_variables(document))
            self.directive_variables.put(document_key, found)
        coerced = executor.variable_values.coerced
        key = (document_key, tuple(coerced.get(name) for name in found[1]))
        entry = self.plans.get(key)
        if entry is None or (loc is None and entry[0] is not operation):
            entry = (operation, Compiler(executor).root())
            self.plans.put(key, entry)
        return entry[1]
