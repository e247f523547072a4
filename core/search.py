"""Full-text search that understands Chinese, on SQLite (FTS5) and PostgreSQL (tsvector + GIN).

Neither database segments Chinese, and a dictionary segmenter misses the names, places and
文号 people actually type. We index overlapping character bigrams instead, one token per
character position:

    "政府公报2023年"  →  政府 府公 公报 报 2023 年
                         (each Chinese character starts a bigram with the next character of the
                          same run; the last character of a run stands alone)

A query is turned into the same stream and matched as a phrase, so a query matches exactly the
documents containing it as a substring (modulo punctuation and spacing). The last character of a
Chinese run in the query is an exact token when a word follows it ("发" in "发2020"), a prefix token
when another run follows across punctuation or the run is one character ("报" matches "报" and
"报是"; that is what makes one-character queries work), and left out when a bigram already ends
with it at the end of the query. A two-character query is a single exact
token, the cheapest query there is. Punctuation is not indexed, so 〔2023〕, [2023], (2023) and
（2023） all tokenise to "2023", and a 文号 typed with any brackets or spaces finds the document.

Documents are indexed in fields with weights: title, code (文号), extra (issuing bodies,
categories) and body. Plugins call `index_document()` when something becomes public and
`remove_document()` when it stops being public; `match()` gives a subquery of (ref_id, rank) that
the plugin joins with its own table for filters and ordering. `SearchEntry` rows are tenant-owned,
so the tenant filter applies to searches like to every other query.

Storage: on PostgreSQL, `search_entries.vector` (a tsvector with explicit positions, GIN-indexed);
on SQLite, the FTS5 table `search_fts` whose rowid is the entry's id. Neither is mapped by the ORM;
both are created by migration 0004_core and maintained here. PostgreSQL positions stop at 16,383,
so a phrase beyond about the 16,000th character of a very long text is not found (single tokens
still are).
"""
from __future__ import annotations

import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

from sqlalchemy import Float, Index, Integer, String, Text, UniqueConstraint, bindparam, cast, delete, func, \
    literal_column, select, text
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, db
from core.tenancy import TenantScoped

FIELDS = ("title", "code", "extra", "body")
WEIGHTS = {"title": "A", "code": "B", "extra": "C", "body": "D"}
BM25_WEIGHTS = (10.0, 8.0, 3.0, 1.0)      # same order as FIELDS
FTS_TABLE = "search_fts"
MAX_QUERY_TERMS = 8
MAX_WORD = 100                            # longer runs of letters or digits are cut (PostgreSQL caps lexemes)
MAX_TERM_TOKENS = 40
PG_MAX_POSITION = 16383
FIELD_GAP = 10                            # positions between fields, so no phrase spans two fields

_CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>(?:(?![{_CJK}])[^\W_])+)")


class SearchEntry(TenantScoped, db.Model):
    """One searchable public document of some plugin; what the index points back to."""

    __tablename__ = "search_entries"
    __table_args__ = (
        UniqueConstraint("plugin", "kind", "ref_id"),
        Index("ix_search_entries_listing", "tenant_id", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    ref_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(500), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: leave the unmapped index storage (search_fts*, search_entries.vector) alone."""
    if type_ == "table" and name.startswith(FTS_TABLE):
        return False
    if type_ == "column" and obj.table.name == "search_entries" and name == "vector":
        return False
    return not (type_ == "index" and name == "ix_search_entries_vector")


# --- tokens -------------------------------------------------------------------------------------

def normalise(value: str) -> str:
    """Full-width forms to half-width, compatibility characters folded, case folded."""
    return unicodedata.normalize("NFKC", value or "").casefold()


def tokens(value: str) -> list[str]:
    """The token stream of a text: one token per Chinese character (its bigram), one per word."""
    out: list[str] = []
    for run in _RUN.finditer(normalise(value)):
        if run.group("word"):
            out.append(run.group("word")[:MAX_WORD])
            continue
        chars = run.group("cjk")
        out.extend(chars[i:i + 2] for i in range(len(chars)))
    return out


@dataclass(frozen=True)
class Token:
    text: str
    prefix: bool = False


def query_terms(query: str) -> list[list[Token]]:
    """The query as phrases (split at spaces; all must match), each a list of positional tokens.

    Empty when the query has nothing searchable (only punctuation, say)."""
    terms: list[list[Token]] = []
    for raw in normalise(query).split()[:MAX_QUERY_TERMS]:
        runs = list(_RUN.finditer(raw))
        term: list[Token] = []
        for index, run in enumerate(runs):
            if run.group("word"):
                term.append(Token(run.group("word")[:MAX_WORD]))
                continue
            chars = run.group("cjk")
            term.extend(Token(chars[i:i + 2]) for i in range(len(chars) - 1))
            following = runs[index + 1] if index + 1 < len(runs) else None
            if following is not None and following.group("word"):
                # A word follows at once, so in a matching text this run ends here too and its last
                # character stands alone: an exact token (a prefix of a common character is costly).
                term.append(Token(chars[-1]))
            elif following is not None or len(chars) == 1:
                # Another run follows (across punctuation), or the run is one character: whatever
                # follows that character in the text, it starts the token at this position.
                term.append(Token(chars[-1], prefix=True))
            # Otherwise the run ends the term and its last bigram already names the last character.
        if term:
            terms.append(term[:MAX_TERM_TOKENS])
    return terms


# --- writing the index --------------------------------------------------------------------------

def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _tsvector(fields: dict[str, str]) -> str:
    """A tsvector literal with explicit positions and weights (no parser, so no locale surprises)."""
    positions: dict[str, list[str]] = {}
    position = 1
    for name in FIELDS:
        for token in tokens(fields.get(name, "")):
            if position > PG_MAX_POSITION:
                break
            slots = positions.setdefault(token, [])
            if len(slots) < 255:
                slots.append(f"{position}{WEIGHTS[name]}")
            position += 1
        position += FIELD_GAP
    return " ".join(f"'{token}':{','.join(slots)}" for token, slots in positions.items())


def index_document(*, plugin: str, kind: str, ref_id: int, tenant_id: int, title: str, code: str = "",
                   extra: str = "", body: str = "", url: str = "", summary: str = "",
                   published_at: datetime | None = None) -> SearchEntry:
    """Add or replace the index entry of one public document (within the caller's transaction)."""
    entry = db.session.scalar(select(SearchEntry).where(SearchEntry.plugin == plugin, SearchEntry.kind == kind,
                                                        SearchEntry.ref_id == ref_id))
    if entry is None:
        entry = SearchEntry(plugin=plugin, kind=kind, ref_id=ref_id, tenant_id=tenant_id)
        db.session.add(entry)
    entry.title, entry.url, entry.summary, entry.published_at = title[:300], url[:500], summary, published_at
    db.session.flush()
    fields = {"title": title, "code": code, "extra": extra, "body": body}
    if _dialect() == "postgresql":
        db.session.execute(text("UPDATE search_entries SET vector = CAST(:vector AS tsvector) WHERE id = :id"),
                           {"vector": _tsvector(fields), "id": entry.id})
    else:
        db.session.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": entry.id})
        db.session.execute(text(f"INSERT INTO {FTS_TABLE} (rowid, title, code, extra, body) "
                                "VALUES (:id, :title, :code, :extra, :body)"),
                           {"id": entry.id, **{name: " ".join(tokens(value)) for name, value in fields.items()}})
    return entry


def remove_document(plugin: str, kind: str, ref_id: int) -> None:
    entry_id = db.session.scalar(select(SearchEntry.id).where(SearchEntry.plugin == plugin,
                                                              SearchEntry.kind == kind, SearchEntry.ref_id == ref_id))
    if entry_id is None:
        return
    if _dialect() != "postgresql":
        db.session.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": entry_id})
    db.session.execute(delete(SearchEntry).where(SearchEntry.id == entry_id))


def clear(plugin: str | None = None) -> int:
    """Remove every entry (of one plugin); returns how many. Used before a rebuild."""
    ids = db.session.scalars(select(SearchEntry.id).where(SearchEntry.plugin == plugin) if plugin
                             else select(SearchEntry.id)).all()
    if _dialect() != "postgresql":
        for start in range(0, len(ids), 500):
            db.session.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid IN :ids")
                               .bindparams(bindparam("ids", expanding=True)), {"ids": ids[start:start + 500]})
    for start in range(0, len(ids), 500):
        db.session.execute(delete(SearchEntry).where(SearchEntry.id.in_(ids[start:start + 500])))
    return len(ids)


# --- querying -----------------------------------------------------------------------------------

def _fts_query(terms: list[list[Token]], field: str | None) -> str:
    phrases = []
    for term in terms:
        phrase = " + ".join(f'"{t.text}"' + (" *" if t.prefix else "") for t in term)
        phrases.append(f"({phrase})")
    expression = " AND ".join(phrases)
    return f"{field} : ({expression})" if field else expression


def _ts_query(terms: list[list[Token]], field: str | None) -> str:
    weight = WEIGHTS[field] if field else ""
    phrases = []
    for term in terms:
        parts = [f"'{t.text}':" + ("*" if t.prefix else "") + weight if (t.prefix or weight) else f"'{t.text}'"
                 for t in term]
        phrases.append("(" + " <-> ".join(parts) + ")")
    return " & ".join(phrases)


@contextmanager
def prefer_index() -> Iterator[None]:
    """Run the searches inside on the index. PostgreSQL's planner prices `vector @@ query` as cheap
    and may scan the whole table instead, decompressing every document's vector (0.3 s at 50,000
    articles for a term with 1,700 hits); with sequential scans priced out it uses the GIN index.
    Scoped to the statements inside the block; nothing changes on SQLite."""
    if _dialect() != "postgresql":
        yield
        return
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    try:
        yield
    finally:
        db.session.execute(text("SET LOCAL enable_seqscan = on"))


def match(query: str, *, plugin: str | None = None, kind: str | None = None, field: str | None = None,
          ranked: bool = True):
    """A subquery of the entries matching `query`, with columns ref_id, entry_id and rank (higher is
    better; 0 when not `ranked`, which spares computing it for counts), or None when the query has
    nothing to search for. `field` restricts to one of FIELDS. Entries are tenant-filtered."""
    if field is not None and field not in FIELDS:
        raise ValueError(f"unknown search field {field!r}")
    terms = query_terms(query)
    if not terms:
        return None
    if _dialect() == "postgresql":
        # The hits come from the GIN index alone, in a materialised CTE, so the planner cannot
        # prefer another index (tenant_id) and test the vector of every row; the tenant filter
        # applies when the hits join the (ORM-mapped, filtered) entries below.
        entries = SearchEntry.__table__
        vector = literal_column("search_entries.vector")
        tsquery = cast(bindparam("search_query", _ts_query(terms, field), type_=Text), TSQUERY)
        rank = func.ts_rank(vector, tsquery) if ranked else literal_column("0.0")
        found = select(entries.c.id, rank.label("rank")).where(vector.op("@@")(tsquery))
        if plugin:
            found = found.where(entries.c.plugin == plugin)
        if kind:
            found = found.where(entries.c.kind == kind)
        hits = found.cte("search_hits").prefix_with("MATERIALIZED")
        stmt = (select(SearchEntry.ref_id, SearchEntry.id.label("entry_id"), hits.c.rank)
                .join(hits, hits.c.id == SearchEntry.id))
    else:
        rank = f"-bm25({FTS_TABLE}, {', '.join(str(w) for w in BM25_WEIGHTS)})" if ranked else "0.0"
        hits = (text(f"SELECT rowid AS entry_id, {rank} AS rank FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :search_query")
                .bindparams(search_query=_fts_query(terms, field))
                .columns(entry_id=Integer, rank=Float).subquery("fts_hits"))
        stmt = (select(SearchEntry.ref_id, SearchEntry.id.label("entry_id"), hits.c.rank)
                .join(hits, hits.c.entry_id == SearchEntry.id))
        if plugin:
            stmt = stmt.where(SearchEntry.plugin == plugin)
        if kind:
            stmt = stmt.where(SearchEntry.kind == kind)
    return stmt.subquery("search_match")
