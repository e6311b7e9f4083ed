"""The library's words search, in the database's own full-text search: PostgreSQL's
(`plainto_tsquery` in English, every word required and none an operator, against the
point's `search_vector`, which a trigger keeps as `to_tsvector` of its words, under a GIN
index) where the database is PostgreSQL, SQLite's FTS5 (a
virtual table the triggers of migration 0026 keep in step with the points) on SQLite.
`matching` is the one way in; the library's selector is the one caller.
"""

import re

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

CONFIG = "english"
TABLE = "offer_sessions_learningpoint"
# Made by migration 0026 on SQLite only (on PostgreSQL it makes the trigger that keeps
# `search_vector` in CONFIG, and its GIN index).
FTS_TABLE = "offer_sessions_learningpoint_fts"
WORDS_MAX = 20


def search_text(*, theme: str, doing: str, why: str, offer: str) -> str:
    """What a point is found by: its theme, its words and its offer, never its council."""
    return "\n".join(part.strip() for part in (theme, doing, why, offer) if part)


def words_of(query: str) -> list[str]:
    return re.findall(r"\w+", query or "")[:WORDS_MAX]


def matching(points: QuerySet, query: str) -> QuerySet:
    """The points whose words match every word of `query` (stemmed as English); all of them
    for a query with no words."""
    words = words_of(query)
    if not words:
        return points
    if connection.vendor == "postgresql":
        return points.filter(
            search_vector=SearchQuery(" ".join(words), config=CONFIG, search_type="plain")
        )
    # FTS5: each word a quoted string (so none is read as an operator), all of them required.
    terms = " ".join(f'"{word}"' for word in words)
    # The table's name is this module's constant; the words are a bound parameter.
    fts = RawSQL(  # noqa: S611
        f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
        (terms,),
    )
    return points.filter(id__in=fts)
