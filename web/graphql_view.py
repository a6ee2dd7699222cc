"""The GraphQL endpoint (HTTP and graphql-transport-ws WebSocket at /graphql).

- Batches (a JSON array of operations) hold at most `settings.max_batch_operations`; a larger
  one is answered 400 with a JSON body whose error has `extensions.code = "QUERY_REJECTED"`,
  and nothing runs. A body that is neither a JSON object nor an array of objects is a 400, as is
  one that is not UTF-8 or nests deeper than web/json_input.py allows; every 400 is JSON with
  `extensions.code = "QUERY_REJECTED"`.
- GET runs queries only (strawberry answers a mutation over GET with a 400). Subscriptions run
  over the WebSocket only: one sent over HTTP is answered 400, `QUERY_REJECTED` (graphql-core
  would run its field with no event and answer a masked INTERNAL error).
- WebSocket: only the graphql-transport-ws subprotocol (anything else is closed with 4406,
  "Subprotocol not acceptable", as the graphql-ws reference server does). A handshake with an
  Origin header is accepted when it is the server's own origin or one of CORS_ORIGINS, and
  refused with 403 otherwise; one without Origin (not a browser) is accepted. Sockets per IP and
  per user and subscriptions per socket are capped (web/socket_caps.py: close code 4429).
- Automatic Persisted Queries (web/persisted_queries.py) are resolved before an operation runs;
  answers are encoded with orjson (docs/architecture.md, "Where a request's time goes").
"""
from __future__ import annotations

import functools
import json
from typing import Any

import orjson

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData, process_result
from strawberry.http.parse_content_type import parse_content_type
from strawberry.types.unset import UNSET
from strawberry.http.websocket_origin import normalize_allowed_origins
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.graphql import OperationType

from persistence.request_reads import RequestReads, current_reads
from schema.context import Context, Runtime
from schema.limits import QUERY_REJECTED
from settings import Settings
from web.graphiql import graphiql_page
from web.persisted_queries import PersistedQueries, PersistedQueryRefused
from web import json_input
from web.errors import error_body
from web.response_cache import serve as serve_cached
from web.socket_caps import STATE_KEY as SOCKET_USER
from web.socket_caps import CappedTransportWSHandler, SocketCaps, refuse_handshake


def browser_origins(settings: Settings) -> list[str]:
    """CORS_ORIGINS as browsers send them ("https://shop.example", "*"), for CORS on HTTP and
    for the WebSocket handshake alike; an entry that is not an origin stops the start-up."""
    return sorted(normalize_allowed_origins(settings.cors_origins))


# Queries over GET (allow_queries_via_get), queries and mutations over POST: no subscriptions.
HTTP_OPERATIONS = {"GET": {OperationType.QUERY},
                   "POST": {OperationType.QUERY, OperationType.MUTATION}}


class RequestRejected(Exception):
    """A request refused before any of its operations runs."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def response(self) -> Response:
        body = {"errors": [{"message": self.message, "extensions": {"code": QUERY_REJECTED}}]}
        return JSONResponse(body, status_code=400)


class MarketplaceGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = CappedTransportWSHandler

    def __init__(self, schema: Any, runtime: Runtime) -> None:
        settings = runtime.settings
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,  # queries only: strawberry refuses mutations over GET
            keep_alive=True,
            keep_alive_interval=15,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            allowed_origins=browser_origins(settings),  # empty: the server's own origin only
            max_subscriptions_per_connection=None,  # web/socket_caps.py closes the socket
        )
        self.runtime = runtime
        self.socket_caps = SocketCaps(settings)
        self.persisted_queries = PersistedQueries.for_runtime(runtime)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._socket(scope, receive, send)
            return
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        # One read connection for the whole request, given back once the response is sent,
        # whatever happened (docs/architecture.md, "Read connections").
        reads = RequestReads(self.runtime.db)
        token = current_reads.set(reads)
        try:
            response: Response
            try:
                response = await serve_cached(self.runtime.response_cache,
                                              Request(scope=scope, receive=receive), self.run)
            except RequestRejected as rejected:
                response = rejected.response()
            except HTTPException as e:
                response = JSONResponse(error_body(e.reason, QUERY_REJECTED),
                                        status_code=e.status_code)
            await response(scope, receive, send)
        finally:
            current_reads.reset(token)
            await reads.close()

    async def _socket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A WebSocket within the caps of web/socket_caps.py, released when it ends."""
        client = scope.get("client")
        ip = str(client[0]) if client else "unknown"
        if not self.socket_caps.open_ip(ip):
            await refuse_handshake(scope, receive, send, "too many connections")
            return
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.socket_caps.close_ip(ip)
            user_id = (scope.get("state") or {}).get(SOCKET_USER)
            if user_id is not None:
                self.socket_caps.close_user(user_id)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if isinstance(request, Request) and request.method == "POST" and context is UNSET:
            response = await self._post(request)
            if response is not None:
                return response
        return await super().run(request, context, root_value)

    async def _post(self, request: Request) -> Response | None:
        """A POST of one JSON operation, the common case, without strawberry's generic view
        layers (request adapter, sub-response, content negotiation, root value): the same
        checks, in the same order, and the same answers (docs/architecture.md, "Where a
        request's time goes"). None for anything else (batches, another content type, an
        Accept asking for a streamed answer): strawberry's own `run` serves it."""
        headers = request.headers
        if "application/json" not in _mime_type(headers.get("content-type", "")):
            return None
        if "accept" in headers and self._get_stream_transport_from_headers(headers):
            return None
        data = self.parse_json(await request.body())  # Starlette keeps the body for `run`
        if not isinstance(data, dict):
            return None
        _check_fields(data)
        request_data = GraphQLRequestData(
            query=data.get("query"), variables=data.get("variables"),
            operation_name=data.get("operationName"), extensions=data.get("extensions"),
            protocol="http")
        context = await self.get_context(request, None)
        result = await self._execute("POST", context, request_data)
        response_data = process_result(result)
        if result.errors:
            self._handle_errors(result.errors, response_data)
        return Response(_json_bytes(response_data), media_type="application/json")

    def decode_json(self, data: str | bytes) -> object:
        # A JSONDecodeError is what strawberry expects of malformed JSON: the WebSocket
        # handler closes with 4400 on it, parse_json below answers 400.
        try:
            return json_input.loads(data)
        except json_input.MalformedJson as exc:
            raise json.JSONDecodeError(str(exc), "", 0) from exc

    def encode_json(self, data: object) -> str:
        # Text, not bytes: the WebSocket handler sends bytes as binary frames, which
        # graphql-transport-ws does not allow. HTTP answers skip the decode (create_response).
        return _json_bytes(data).decode()

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = Response(_json_bytes(response_data), media_type="application/json")
        response.headers.raw.extend(sub_response.headers.raw)
        response.background = sub_response.background
        if sub_response.status_code:
            response.status_code = sub_response.status_code
        return response

    def parse_json(self, data: str | bytes) -> Any:
        try:
            value = self.decode_json(data)
        except json.JSONDecodeError as exc:
            raise HTTPException(400, exc.msg) from exc
        if not (isinstance(value, dict) or (
                isinstance(value, list) and all(isinstance(v, dict) for v in value))):
            raise HTTPException(400, "Expected a JSON object (or, for a batch, an array of "
                                     "JSON objects).")
        return value

    def _validate_batch_request(self, request_data: Any, protocol: Any) -> None:
        limit = self.runtime.settings.max_batch_operations
        if len(request_data) > limit:
            raise RequestRejected(f"A batch holds at most {limit} operations; this one has "
                                  f"{len(request_data)}. Nothing was run.")
        for item in request_data:
            _check_fields(item)
        super()._validate_batch_request(request_data, protocol)

    async def execute_single(self, request: Any, request_adapter: Any, sub_response: Any,
                             context: Any, root_value: Any, request_data: Any) -> Any:
        return await self._execute(request_adapter.method, context, request_data)

    async def _execute(self, method: str, context: Any, request_data: Any) -> Any:
        # Root value: always None (strawberry's get_root_value) on this view.
        try:
            query = await self.persisted_queries.query_for(request_data.query,
                                                           request_data.extensions)
        except PersistedQueryRefused as refused:
            return refused.result()
        try:
            return await self.schema.execute(
                query,
                variable_values=request_data.variables, context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=HTTP_OPERATIONS[method],
                operation_extensions=request_data.extensions)
        except InvalidOperationTypeError as e:
            if e.operation_type is OperationType.SUBSCRIPTION:
                raise HTTPException(400, "Subscriptions run over the WebSocket at this URL "
                                         "(graphql-transport-ws), not over HTTP.") from e
            raise HTTPException(400, e.as_http_error_reason(method)) from e
        except CannotGetOperationTypeError as e:  # as strawberry's own execute_single
            raise HTTPException(400, e.as_http_error_reason()) from e
        except MissingQueryError as e:
            raise HTTPException(400, "No GraphQL query found in the request") from e

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        client = request.client.host if request.client else "unknown"
        return Context(
            self.runtime,
            authorization=request.headers.get("authorization"),
            client_ip=client,
            request_id=request.scope.get("state", {}).get("request_id"),
            # HTTP: the request's reads (__call__); a WebSocket: a short connection per read
            reads=current_reads.get() if isinstance(request, Request) else None,
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql_page()  # served from this server only (web/graphiql.py)


def _check_fields(item: dict[str, Any]) -> None:
    """An operation's `query`, `variables` and `extensions`, as strawberry checks them."""
    for key, kind, shape in (("query", str, "a string"), ("variables", dict, "an object"),
                             ("extensions", dict, "an object")):
        if item.get(key) is not None and not isinstance(item[key], kind):
            raise HTTPException(400, f"The GraphQL operation's `{key}` must be {shape} "
                                     "or null, if provided.")


@functools.lru_cache(maxsize=64)
def _mime_type(content_type: str) -> str:
    """The media type of a Content-Type header, as strawberry reads it (bounded cache: the
    parse goes through the email package)."""
    return parse_content_type(content_type)[0]


def _json_bytes(data: object) -> bytes:
    try:
        return orjson.dumps(data)
    except TypeError:  # e.g. an integer past 64 bits: the standard library encodes it
        return json.dumps(data, separators=(",", ":")).encode()
