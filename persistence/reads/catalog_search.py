"""Full-text search of products on both databases, with the same (web search) syntax.

PostgreSQL: `to_tsvector('english', name || ' ' || description) @@ websearch_to_tsquery(
'english', :q)`, written exactly as the expression of the GIN index ix_products_search (with
literal constants, so the planner matches it). Ranking: ts_rank.

SQLite: the FTS5 table products_fts (porter stemmer) with the input translated to FTS5 by
`fts5_query`, which follows websearch_to_tsquery's syntax: words are ANDed, "quoted words"
are a phrase, `or` between terms is OR (AND binds tighter), a leading `-` excludes a term.
Every term is emitted as an FTS5 string made only of word characters, so nothing the user
types can reach FTS5 as syntax (no injection, no syntax error). Ranking: -bm25 (higher is
better on both databases).

Differences that remain: PostgreSQL drops English stop words ("the", "and") and SQLite does
not; a query made only of exclusions matches nothing on SQLite (FTS5 NOT needs a left side).
A search with no word characters at all matches nothing on both.
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    FromClause,
    String,
    bindparam,
    column,
    false,
    func,
    literal_column,
    table,
)

from persistence.tables import products

MAX_TERMS = 32
MAX_LENGTH = 500
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r'(-?)(?:"([^"]*)"?|([^\s"]+))')
_FTS = table("products_fts", column("rowid"))
TSVECTOR: ColumnElement[Any] = literal_column(
    "to_tsvector('english', products.name || ' ' || products.description)")


def fts5_query(text: str) -> str | None:
    """The web-search input as an FTS5 query, or None when it can match nothing."""
    groups: list[tuple[list[str], list[str]]] = [([], [])]
    terms = 0
    for match in _TOKEN.finditer(text[:MAX_LENGTH]):
        negated, phrase, bare = match.groups()
        words = _WORD.findall(phrase if phrase is not None else bare)
        if not words or terms >= MAX_TERMS:
            continue
        if phrase is None and not negated and len(words) == 1 and words[0].lower() == "or":
            if groups[-1][0] or groups[-1][1]:
                groups.append(([], []))
            continue
        terms += 1
        groups[-1][1 if negated else 0].append('"' + " ".join(words) + '"')
    parts = ["(" + " AND ".join(positive) + ")" + "".join(f" NOT {n}" for n in negative)
             for positive, negative in groups if positive]
    return " OR ".join(f"({part})" for part in parts) or None


def search_clause(dialect: str, text: str) -> tuple[FromClause, ColumnElement[bool],
                                                     ColumnElement[float] | None]:
    """(FROM, WHERE, relevance score) for a search of `text` (already stripped, not blank)."""
    text = text[:MAX_LENGTH].replace("\x00", " ")  # PostgreSQL text cannot hold U+0000
    if not _WORD.search(text):
        return products, false(), None
    if dialect == "postgresql":
        query = func.websearch_to_tsquery(literal_column("'english'"),
                                          bindparam("search", text, type_=String))
        return products, TSVECTOR.op("@@")(query), func.ts_rank(TSVECTOR, query, type_=Float)
    translated = fts5_query(text)
    if translated is None:
        return products, false(), None
    fts: ColumnElement[Any] = literal_column("products_fts")
    return (products.join(_FTS, _FTS.c.rowid == products.c.id),
            fts.op("MATCH")(bindparam("search", translated, type_=String)),
            -func.bm25(fts, type_=Float))
