"""Automatic Persisted Queries, Apollo's protocol (docs/rules.md, "Documents and persisted
queries"). A request's `extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}`:

- hash only, known: the registered document runs; unknown: one error, message
  "PersistedQueryNotFound", `extensions.code = "PERSISTED_QUERY_NOT_FOUND"` (the client then
  sends the document with its hash);
- document and hash: the hash must be the SHA-256 of the document's exact text (else
  QUERY_REJECTED, nothing runs); the document is registered and runs.

GET /graphql?extensions=...&variables=...&operationName=... runs a registered query by its hash
(mutations over GET are refused as ever). With PERSISTED_QUERIES_ONLY, only the documents of
PERSISTED_QUERIES_DIR run (sent by hash or in full); any other is refused with
PERSISTED_QUERY_NOT_ALLOWED and clients cannot register new ones.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from graphql import GraphQLError
from strawberry.types.execution import ExecutionResult

from adapters.query_store import MemoryQueryStore, RedisQueryStore
from schema.context import Runtime
from schema.limits import QUERY_REJECTED

PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def sha256_of(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


class PersistedQueryRefused(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message, self.code = message, code

    def result(self) -> ExecutionResult:
        return ExecutionResult(data=None, errors=[GraphQLError(
            self.message, extensions={"code": self.code})])


def load_directory(directory: str | None) -> dict[str, str]:
    """Each `*.graphql` file of the directory, under the SHA-256 of its exact text."""
    if not directory:
        return {}
    return {sha256_of(text): text for text in (
        path.read_text(encoding="utf-8") for path in sorted(Path(directory).glob("*.graphql")))}


class PersistedQueries:
    def __init__(self, store: MemoryQueryStore, registered: dict[str, str], only: bool) -> None:
        self.store = store
        self.registered = registered  # from PERSISTED_QUERIES_DIR: trusted, never evicted
        self.only = only

    @classmethod
    def for_runtime(cls, runtime: Runtime) -> "PersistedQueries":
        s = runtime.settings
        redis = runtime.redis
        store = (RedisQueryStore(s.persisted_query_cache_size, redis, s.redis_key_prefix)
                 if redis is not None else MemoryQueryStore(s.persisted_query_cache_size))
        return cls(store, load_directory(s.persisted_queries_dir), s.persisted_queries_only)

    async def query_for(self, query: str | None, extensions: dict[str, Any] | None) -> str | None:
        """The document to run for a request's `query` and `extensions`."""
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if self.only and query is not None and sha256_of(query) not in self.registered:
                raise self._not_allowed()
            return query
        digest = self._digest(persisted)
        if query is None:
            found = self.registered.get(digest) or (
                None if self.only else await self.store.get(digest))
            if found is None:
                raise PersistedQueryRefused("PersistedQueryNotFound", PERSISTED_QUERY_NOT_FOUND)
            return found
        if sha256_of(query) != digest:
            raise PersistedQueryRefused("The persisted query's sha256Hash is not the SHA-256 "
                                        "of its document. Nothing was run.", QUERY_REJECTED)
        if digest not in self.registered:
            if self.only:
                raise self._not_allowed()
            await self.store.put(digest, query)
        return query

    @staticmethod
    def _digest(persisted: Any) -> str:
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            raise PersistedQueryRefused("Unsupported persisted query version: send "
                                        '{"version": 1, "sha256Hash": ...}.', QUERY_REJECTED)
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest.lower()):
            raise PersistedQueryRefused("persistedQuery.sha256Hash must be 64 hexadecimal "
                                        "digits.", QUERY_REJECTED)
        return digest.lower()

    @staticmethod
    def _not_allowed() -> PersistedQueryRefused:
        return PersistedQueryRefused("This server runs registered persisted queries only; "
                                     "this document is not one of them.",
                                     PERSISTED_QUERY_NOT_ALLOWED)
