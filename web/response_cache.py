"""The response cache of anonymous catalogue reads (docs/rules.md, "Response cache").

A request is served from the cache when it has no Authorization header, is a single query (not
a batch) whose root fields are all catalogue reads (`CATALOGUE_FIELDS`), and an answer without
errors was stored for the same (sha256 of the document, operation name, canonical variables)
under the current generation within RESPONSE_CACHE_TTL_SECONDS. The document's sha256 is
computed from its text, or taken from an Apollo persisted-query hash when the text is absent,
so a hashed GET and a plain one share the entry.

GET answers carry `Cache-Control: public, max-age=<ttl>` and a strong ETag (sha256 of the
body); `If-None-Match` with it answers 304. POST answers are cached here but carry no public
Cache-Control.

Invalidation (`ResponseCache.invalidate`): every mutation this process answers (at once, before
its answer leaves), and the catalogue and stock events of the outbox feed (`INVALIDATING` in
adapters/response_store.py: changes made by other processes and by background loops). With
Redis both bump the shared generation, so the other processes see it on their next lookup.
"""
from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from graphql import (FieldNode, FragmentSpreadNode, GraphQLError, InlineFragmentNode,
                     OperationDefinitionNode, SelectionSetNode, parse)
from graphql.language import FragmentDefinitionNode
from starlette.requests import Request
from starlette.responses import Response

from adapters.response_store import Entry, ResponseCache
from web import json_input

# node(id:) is left out: it reaches orders and accounts too, whose changes do not invalidate.
CATALOGUE_FIELDS = frozenset({"products", "product", "variant", "categories", "__typename"})
QUERY, MUTATION, OTHER = "query", "mutation", "other"


@dataclass(frozen=True)
class Operation:
    kind: str  # QUERY (or nothing runs), MUTATION, or OTHER (a subscription, an unread body)
    catalogue_only: bool = False


@functools.lru_cache(maxsize=1024)
def classify(document: str, operation_name: str | None) -> Operation:
    """The kind of the operation that would run, and whether all its root fields (through
    fragments) are catalogue reads. Parsed once per distinct document (bounded LRU)."""
    try:
        parsed = parse(document)
    except GraphQLError:
        return Operation(QUERY)  # nothing runs

    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {d.name.value: d for d in parsed.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1:
        return Operation(QUERY)  # refused before anything runs
    operation = operations[0]
    kind = operation.operation.value
    if kind != QUERY:
        return Operation(MUTATION if kind == MUTATION else OTHER)
    return Operation(QUERY, _catalogue_only(operation.selection_set, fragments, set()))


def _catalogue_only(selections: SelectionSetNode, fragments: dict[str, Any],
                    seen: set[str]) -> bool:
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value not in CATALOGUE_FIELDS:
                return False
        elif isinstance(selection, InlineFragmentNode):
            if not _catalogue_only(selection.selection_set, fragments, seen):
                return False
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in seen or name not in fragments:
                return False
            if not _catalogue_only(fragments[name].selection_set, fragments, seen | {name}):
                return False
    return True


@dataclass(frozen=True)
class Parsed:
    operations: tuple[Operation, ...]
    key: str | None  # set when the request may be served from the cache


async def parse_request(request: Request) -> Parsed:
    """The operations a GraphQL HTTP request asks for, and its cache key if it may be cached.
    Anything this cannot read is left to strawberry (and counted as a possible mutation)."""
    try:
        if request.method == "GET":
            params = request.query_params
            items: Any = [{
                "query": params.get("query"), "operationName": params.get("operationName"),
                "variables": (json_input.loads(params["variables"])
                              if params.get("variables") else None),
                "extensions": (json_input.loads(params["extensions"])
                               if params.get("extensions") else None)}]
        else:
            if "json" not in request.headers.get("content-type", ""):
                return Parsed((Operation(OTHER),), None)
            body = json_input.loads(await request.body())  # bounded depth, as the view
            items = body if isinstance(body, list) else [body]
        return _parsed(items, anonymous="authorization" not in request.headers)
    except (ValueError, TypeError, AttributeError, KeyError, RecursionError):
        return Parsed((Operation(OTHER),), None)  # strawberry answers it (a 400)


def _parsed(items: list[Any], *, anonymous: bool) -> Parsed:
    operations: list[Operation] = []
    hashes: list[str | None] = []
    for item in items:
        query, name = item.get("query"), item.get("operationName")
        digest = _persisted_hash(item.get("extensions"))
        if isinstance(query, str):
            digest = hashlib.sha256(query.encode()).hexdigest()
            operations.append(classify(query, name if isinstance(name, str) else None))
            _remember(digest, name, operations[-1])
        else:  # a hash alone: a persisted query, which is a query (Apollo's GET protocol)
            operations.append(Operation(QUERY, False) if digest is None else
                              _known(digest, name))
        hashes.append(digest)
    single = operations[0] if len(items) == 1 else None
    if not (anonymous and single is not None and single.catalogue_only and hashes[0]):
        return Parsed(tuple(operations), None)
    item = items[0]
    variables = item.get("variables") or {}
    if not isinstance(variables, dict):
        return Parsed(tuple(operations), None)
    canonical = json.dumps([hashes[0], item.get("operationName"), variables],
                           sort_keys=True, separators=(",", ":"))
    return Parsed(tuple(operations), hashlib.sha256(canonical.encode()).hexdigest())


_KNOWN: dict[tuple[str, str | None], Operation] = {}  # persisted hash -> classified document


def _known(digest: str, name: Any) -> Operation:
    return _KNOWN.get((digest, name if isinstance(name, str) else None), Operation(QUERY, False))


def _persisted_hash(extensions: Any) -> str | None:
    if not isinstance(extensions, dict):
        return None
    persisted = extensions.get("persistedQuery")
    digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    return digest.lower() if isinstance(digest, str) and len(digest) == 64 else None


def _remember(digest: str, name: Any, operation: Operation) -> None:
    """A catalogue document seen with its text, so that its hash alone (a persisted query)
    is known to be one."""
    if operation.catalogue_only:
        if len(_KNOWN) >= 4096:
            _KNOWN.clear()
        _KNOWN[(digest, name if isinstance(name, str) else None)] = operation


async def serve(cache: ResponseCache | None, request: Request,
                run: Callable[[Request], Awaitable[Response]]) -> Response:
    """The view's HTTP entry: from the cache when it may, else `run`, storing what may be
    stored; any mutation invalidates once it has run."""
    if cache is None:
        return await run(request)
    parsed = await parse_request(request)
    if parsed.key is None:
        response = await run(request)
        if any(op.kind != QUERY for op in parsed.operations) and request.method == "POST":
            await cache.invalidate()
        return response
    found = await cache.store.lookup(parsed.key)
    if found.entry is not None:
        cache.count("hit")
        return _answer(cache, request, found.entry)
    cache.count("miss")
    response = await run(request)
    body = getattr(response, "body", None)
    if response.status_code != 200 or not isinstance(body, bytes) or not _clean(body):
        return response
    entry = Entry(f'"{hashlib.sha256(body).hexdigest()[:32]}"', body)
    if found.generation is not None:
        await cache.store.store(parsed.key, entry, found.generation)
    return _answer(cache, request, entry, response)


def _clean(body: bytes) -> bool:
    try:
        value = json.loads(body)
    except ValueError:
        return False
    return isinstance(value, dict) and "errors" not in value and "data" in value


def _answer(cache: ResponseCache, request: Request, entry: Entry,
            response: Response | None = None) -> Response:
    headers = {"etag": entry.etag}
    if request.method == "GET":
        headers["cache-control"] = cache.cache_control
        if entry.etag in _etags(request.headers.get("if-none-match", "")):
            return Response(status_code=304, headers=headers)
    if response is None:
        return Response(entry.body, media_type="application/json", headers=headers)
    response.headers.update(headers)
    return response


def _etags(header: str) -> set[str]:
    return {tag.strip() for tag in header.split(",") if tag.strip()}
