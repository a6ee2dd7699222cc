"""Query limits (docs/rules.md, "Protecting the service"): depth, aliases, tokens and page size,
all checked before any resolver runs and answered with `extensions.code = "QUERY_REJECTED"`.

- Cost: the number of field values a document can ask for (every field times the page sizes
  enclosing it) is at most settings.max_query_cost, so nested lists cannot multiply into
  millions of rows (e.g. products -> seller -> products -> seller -> products).
- Tokens: graphql-core's parser counts them (parse option `max_tokens`, comments included) and
  aborts the parse; the syntax error it raises is coded QUERY_REJECTED (schema/protection.py).
- Depth, aliases, literal page sizes (`first: 100000`, `first: -1`) and the depth of
  introspection lists: one pass over the document *before* graphql-core's validation, so an
  oversized document costs no more than its size and the answer names only the limit.
- Page sizes given through variables (`first: $n`): a validation rule cannot see variable
  values, so they are checked after validation, just before execution (`before_execute`), against
  the variables of the request (or the variable's default value).

Depth is counted the way strawberry's QueryDepthLimiter counts it (the number of fields
enclosing the deepest field; introspection fields such as `__schema` and `__type` are not
descended into), so GraphiQL's own introspection query is never refused. Introspection is
bounded instead by graphql-core's recommended MaxIntrospectionDepthRule (list fields such as
`fields`, `interfaces`, `possibleTypes` nested at most three levels).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_operation_ast,
    validate,
    value_from_ast_untyped,
)
from graphql.validation import MaxIntrospectionDepthRule
from strawberry.schema.schema import validate_document
from strawberry.types.execution import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from schema.document_cache import Checked, DocumentCache
from settings import Settings

QUERY_REJECTED = "QUERY_REJECTED"
# Arguments that size a page of a connection; any field argument with one of these names is
# held to settings.max_page_size.
PAGE_ARGUMENTS = frozenset({"first", "last"})


def rejected(message: str, nodes: Any = None) -> GraphQLError:
    return GraphQLError(message, nodes, extensions={"code": QUERY_REJECTED})


@dataclass
class DocumentShape:
    """What the limits need to know about a document, gathered in one pass."""

    depth: int = 0
    aliases: int = 0
    introspects: bool = False
    # (argument node, literal value) for page arguments written as integers
    page_literals: list[tuple[Any, int]] = field(default_factory=list)
    # names of the variables given to page arguments
    page_variables: set[str] = field(default_factory=set)


class _Walker:
    """Depth and aliases with fragments expanded where they are spread, as strawberry's
    limiters count them, but each fragment measured once (a document spreading a fragment
    that spreads another twice, and so on, must not cost exponential time)."""

    def __init__(self, document: DocumentNode, shape: DocumentShape) -> None:
        self.shape = shape
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.measured: dict[str, tuple[int, int]] = {}
        self.in_progress: set[str] = set()

    def measure(self, selection_set: SelectionSetNode | None) -> tuple[int, int]:
        """(depth below this selection set, aliases inside it)."""
        depth = aliases = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                sub_depth, sub_aliases = self._field(selection)
            elif isinstance(selection, InlineFragmentNode):
                sub_depth, sub_aliases = self.measure(selection.selection_set)
                sub_depth -= 1  # an inline fragment is no level of its own
            elif isinstance(selection, FragmentSpreadNode):
                sub_depth, sub_aliases = self._spread(selection.name.value)
                sub_depth -= 1
            else:  # pragma: no cover - graphql-core has no other selection kinds
                continue
            depth = max(depth, sub_depth + 1)
            aliases += sub_aliases
        return depth, aliases

    def _field(self, node: FieldNode) -> tuple[int, int]:
        own_alias = 1 if node.alias else 0
        for argument in node.arguments or ():
            if argument.name.value in PAGE_ARGUMENTS:
                value = argument.value
                if isinstance(value, IntValueNode):
                    self.shape.page_literals.append((argument, int(value.value)))
                elif isinstance(value, VariableNode):
                    self.shape.page_variables.add(value.name.value)
        if node.name.value in ("__schema", "__type"):
            self.shape.introspects = True
        depth, aliases = self.measure(node.selection_set)
        if node.name.value.startswith("__"):
            depth = 0  # introspection is bounded by MaxIntrospectionDepthRule instead
        return depth, aliases + own_alias

    def _spread(self, name: str) -> tuple[int, int]:
        if name in self.measured:
            return self.measured[name]
        fragment = self.fragments.get(name)
        if fragment is None or name in self.in_progress:
            return 0, 0  # unknown fragments and cycles are reported by validation
        self.in_progress.add(name)
        self.measured[name] = self.measure(fragment.selection_set)
        self.in_progress.discard(name)
        return self.measured[name]


class _Cost:
    """How many field values a document can ask for at most: every field counts once per
    item of every page that encloses it. A page's size is its literal `first`, the maximum
    page size when given by a variable, or the default 20 for a connection (a field selecting
    `edges`) without one. Fragments are costed once, at a multiplier of 1, and scaled."""

    DEFAULT_PAGE = 20

    def __init__(self, document: DocumentNode, max_page: int) -> None:
        self.max_page = max_page
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.costed: dict[str, int] = {}
        self.in_progress: set[str] = set()

    def _page(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value in PAGE_ARGUMENTS:
                if isinstance(argument.value, IntValueNode):
                    return max(int(argument.value.value), 1)
                return self.max_page
        selections = node.selection_set.selections if node.selection_set else ()
        if any(isinstance(s, FieldNode) and s.name.value == "edges" for s in selections):
            return self.DEFAULT_PAGE
        return 1

    def of(self, selection_set: SelectionSetNode | None) -> int:
        total = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):
                    total += 1  # introspection is bounded by MaxIntrospectionDepthRule
                    continue
                total += 1 + self._page(selection) * self.of(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += self.of(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment(selection.name.value)
        return total

    def _fragment(self, name: str) -> int:
        if name not in self.costed:
            fragment = self.fragments.get(name)
            if fragment is None or name in self.in_progress:
                return 0
            self.in_progress.add(name)
            self.costed[name] = self.of(fragment.selection_set)
            self.in_progress.discard(name)
        return self.costed[name]


def query_cost(document: DocumentNode, max_page: int) -> int:
    cost = _Cost(document, max_page)
    return max((cost.of(d.selection_set) for d in document.definitions
                if isinstance(d, OperationDefinitionNode)), default=0)


def document_shape(document: DocumentNode) -> DocumentShape:
    shape = DocumentShape()
    walker = _Walker(document, shape)
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            depth, aliases = walker.measure(definition.selection_set)
            # depth - 1: the number of fields enclosing the deepest field
            shape.depth = max(shape.depth, depth - 1)
            shape.aliases += aliases
        elif isinstance(definition, FragmentDefinitionNode):
            walker._spread(definition.name.value)  # page arguments of unused fragments too
    return shape


def _page_error(value: object, limit: int, nodes: Any = None) -> GraphQLError | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None  # not a number: graphql-core's coercion answers that
    if 0 <= value <= limit:
        return None
    asked = value if isinstance(value, int) else f"{value:g}"
    return rejected(f"A page holds between 0 and {limit} items; {asked} were asked for.", nodes)


def page_variable_errors(document: DocumentNode, shape: DocumentShape,
                         operation_name: str | None, variables: Mapping[str, Any] | None,
                         limit: int) -> list[GraphQLError]:
    """Page arguments given through variables, checked with the request's values."""
    if not shape.page_variables:
        return []
    operation = get_operation_ast(document, operation_name)
    defaults = {
        d.variable.name.value: value_from_ast_untyped(d.default_value)
        for d in (operation.variable_definitions if operation else ()) or ()
        if d.default_value is not None
    }
    values = {**defaults, **(variables or {})}
    errors = []
    for name in sorted(shape.page_variables):
        error = _page_error(values.get(name), limit)
        if error is not None:
            errors.append(error)
    return errors


class QueryLimits:
    """Rejects documents over the configured limits before anything runs. A document seen
    before is neither parsed nor checked again (schema/document_cache.py); every answer
    carries `extensions.cost` once the document's cost is known (docs/rules.md, "Documents
    and persisted queries"). One per operation; its steps are called by the protection
    extension (schema/protection.py) at parse, validation and execution."""

    def __init__(self, settings: Settings, cache: DocumentCache | None = None) -> None:
        self.settings = settings
        self.cache = cache or DocumentCache(0)
        self.shape: DocumentShape | None = None
        self.cost: int | None = None
        self.execution_context: ExecutionContext

    def before_parse(self) -> None:
        context = self.execution_context
        query = context.query
        if query and context.graphql_document is None:
            context.graphql_document = self.cache.documents.get(query)

    def after_parse(self) -> None:
        context = self.execution_context
        if context.query and context.graphql_document is not None:
            self.cache.documents.put(context.query, context.graphql_document)

    def validate(self) -> None:
        context = self.execution_context
        document, query = context.graphql_document, context.query
        if document is not None and context.pre_execution_errors is None:
            checked = self.cache.checks.get(query) if query else None
            if checked is None:
                checked = self.check(document)
                if query:
                    self.cache.checks.put(query, checked)
            self.shape, self.cost = checked.shape, checked.cost
            # Set before graphql-core's validation would run: strawberry then skips it.
            context.pre_execution_errors = checked.fresh_errors()

    def get_results(self) -> dict[str, Any]:
        if self.cost is None:
            return {}
        return {"cost": {"requestedQueryCost": self.cost,
                         "maximumAvailable": self.settings.max_query_cost}}

    def check(self, document: DocumentNode) -> Checked:
        """The limits, then (when they pass) graphql-core's validation with the schema's
        rules: both depend on the document only."""
        shape = document_shape(document)
        cost = query_cost(document, self.settings.max_page_size)
        errors = self.document_errors(document, shape, cost)
        if not errors:
            context = self.execution_context
            errors = validate_document(context.schema._schema, document,
                                       context.validation_rules)
        return Checked(shape, cost, tuple(errors))

    def document_errors(self, document: DocumentNode, shape: DocumentShape,
                        cost: int) -> list[GraphQLError]:
        s = self.settings
        errors = []
        if shape.depth > s.max_query_depth:
            errors.append(rejected(
                f"The query is nested {shape.depth} levels deep; the limit is "
                f"{s.max_query_depth}."))
        if shape.aliases > s.max_aliases:
            errors.append(rejected(
                f"The document uses {shape.aliases} aliases; the limit is {s.max_aliases}."))
        for argument, value in shape.page_literals:
            error = _page_error(value, s.max_page_size, [argument])
            if error is not None:
                errors.append(error)
        if not errors and cost > s.max_query_cost:
            errors.append(rejected(
                f"The query could ask for {cost} field values; the limit is "
                f"{s.max_query_cost}. Ask for smaller pages or nest fewer lists."))
        if shape.introspects and not errors:
            schema = self.execution_context.schema._schema
            for error in validate(schema, document, [MaxIntrospectionDepthRule]):
                errors.append(rejected(error.message, error.nodes))
        return errors

    def before_execute(self) -> None:
        context = self.execution_context
        document = context.graphql_document
        if context.result is None and document is not None:
            shape = self.shape or document_shape(document)
            errors = page_variable_errors(document, shape, context.operation_name,
                                          context.variables, self.settings.max_page_size)
            if errors:
                refuse_execution(self.execution_context, errors)


def refuse_execution(context: ExecutionContext, errors: list[GraphQLError]) -> None:
    """Answer `errors` instead of executing (called just before execution). Strawberry skips
    execution when the `on_execute` hook has set a result; a subscription has no such
    shortcut, so there the error is raised (strawberry answers it as the stream's one
    result)."""
    if context.operation_type is OperationType.SUBSCRIPTION:
        raise errors[0]
    context.result = ExecutionResult(data=None, errors=errors)
