"""Full-text search over posts' title and text: FTS5 on SQLite, a tsvector GIN index on PostgreSQL.

The search box is untrusted: it is reduced to its words (letters and digits), each word is
quoted (FTS5) or passed as a lexeme (tsquery), and the result is always a bound parameter, so
quotes, `*`, `OR`, `-` or parentheses typed by a person can neither break nor steer the query.
Every word must be present; the last one also matches as a prefix, for search as you type.

The SQLite index is an external-content FTS5 table kept in step with `listening_post` by
triggers. Django rebuilds a SQLite table to alter some columns, which drops its triggers: a
migration that alters `listening_post` on SQLite must call `install(schema_editor)` again.
"""

import re
from typing import Any

from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from rapport.listening.models import Post

MAX_WORDS = 12
_WORD = re.compile(r"\w+")

FTS_TABLE = "listening_post_fts"
PG_INDEX = "listening_post_fts_gin"
PG_VECTOR = (
    "to_tsvector('simple', coalesce({t}.\"title\", '') || ' ' || coalesce({t}.\"text\", ''))"
)

SQLITE_INSTALL = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS listening_post_fts USING fts5(
        title, text, content='listening_post', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER IF NOT EXISTS listening_post_fts_insert AFTER INSERT ON listening_post BEGIN
        INSERT INTO listening_post_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS listening_post_fts_delete AFTER DELETE ON listening_post BEGIN
        INSERT INTO listening_post_fts(listening_post_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS listening_post_fts_update AFTER UPDATE OF title, text
        ON listening_post BEGIN
        INSERT INTO listening_post_fts(listening_post_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO listening_post_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    "INSERT INTO listening_post_fts(listening_post_fts) VALUES ('rebuild')",
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS listening_post_fts_insert",
    "DROP TRIGGER IF EXISTS listening_post_fts_delete",
    "DROP TRIGGER IF EXISTS listening_post_fts_update",
    "DROP TABLE IF EXISTS listening_post_fts",
]
PG_INSTALL = [
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON listening_post USING gin "
    f"(({PG_VECTOR.format(t='listening_post')}))"
]
PG_UNINSTALL = [f"DROP INDEX IF EXISTS {PG_INDEX}"]


def install(schema_editor: Any) -> None:
    """Creates the search index for this database (idempotent); used by the migrations."""
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_INSTALL, "postgresql": PG_INSTALL}.get(vendor, []):
        schema_editor.execute(sql)


def uninstall(schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_UNINSTALL, "postgresql": PG_UNINSTALL}.get(vendor, []):
        schema_editor.execute(sql)


def words(text: str) -> list[str]:
    """The words of a search box, lowercased, at most MAX_WORDS of them."""
    return [w.lower() for w in _WORD.findall(text or "")][:MAX_WORDS]


def fts5_expression(text: str) -> str:
    """`"word" "word" "last"*`: each word a quoted phrase, so nothing typed is FTS5 syntax."""
    found = words(text)
    phrases = ['"' + w.replace('"', '""') + '"' for w in found]
    if phrases:
        phrases[-1] += "*"
    return " ".join(phrases)


def tsquery_expression(text: str) -> str:
    """`word & word & last:*` from words only (no tsquery operator can be among them)."""
    found = words(text)
    lexemes = [w.replace("'", "") for w in found]
    if lexemes:
        lexemes[-1] += ":*"
    return " & ".join(lexemes)


def search(posts: QuerySet[Post], text: str) -> QuerySet[Post]:
    """`posts` narrowed to those whose title or text holds every word of `text`.

    A box with no words in it (only punctuation) narrows nothing.
    """
    from django.db import connections

    if not words(text):
        return posts
    vendor = connections[posts.db].vendor
    table = Post._meta.db_table
    if vendor == "sqlite":
        return posts.filter(
            pk__in=RawSQL(
                "SELECT rowid FROM listening_post_fts WHERE listening_post_fts MATCH %s",
                (fts5_expression(text),),
            )
        )
    if vendor == "postgresql":
        vector = PG_VECTOR.format(t='"' + table + '"')
        return posts.filter(
            RawSQL(  # noqa: S611 - constant SQL, the search is a parameter
                vector + " @@ to_tsquery('simple', %s)",
                (tsquery_expression(text),),
                output_field=BooleanField(),
            )
        )
    # Any other database: a slow but correct scan.
    for word in words(text):
        posts = posts.filter(Q(text__icontains=word) | Q(title__icontains=word))
    return posts
