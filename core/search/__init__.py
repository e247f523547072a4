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
A 文号 typed without its year (青政发4号) is looked up among the 文号 the searcher may see and
searched as each of them (青政发〔2026〕4号, 青政发〔2025〕4号, ...) as well as typed: see `doc_no_years`.

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

import json
import re
import unicodedata
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterator

from flask import current_app, has_app_context
from sqlalchemy import Date, DateTime, Float, Index, Integer, String, Text, UniqueConstraint, bindparam, cast, column, delete, \
    event, func, any_, insert, inspect, literal, literal_column, select, text, union_all, update
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantSession, UTCDateTime, db
from core.docno import abbreviated_doc_no, canonical_doc_no, doc_no_pattern, looks_like_doc_no
from core.plugins import SearchDocument, SearchFollow, SearchSource
from core.tenants import Tenant, TenantScoped
from core.clock import CHINA_TZ, china_today

FIELDS = ("title", "code", "extra", "body")
WEIGHTS = {"title": "A", "code": "B", "extra": "C", "body": "D"}
BM25_WEIGHTS = (10.0, 8.0, 3.0, 1.0)      # same order as FIELDS
FTS_TABLE = "search_fts"
SCOPE_MARK = "§"                          # PostgreSQL scope lexemes: "§t12"
MAX_QUERY_TERMS = 8
MAX_WORD = 100                            # longer runs of letters or digits are cut (PostgreSQL caps lexemes)
MAX_TERM_TOKENS = 40
PG_MAX_POSITION = 16383
SUMMARY_CHARS = 2000                      # kept for result snippets
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
    year: Mapped[int | None] = mapped_column(Integer)          # local year of published_at: a facet
    badge: Mapped[str] = mapped_column(String(20), default="")
    code: Mapped[str] = mapped_column(String(200), default="")          # 文号, shown with the result
    expires_on: Mapped[date | None] = mapped_column(Date)

    @property
    def current_badge(self) -> str:
        """The stored state, or 已失效 once the document's expiry date has passed (time moves on
        without anyone re-indexing it)."""
        if not self.badge and self.expires_on is not None and self.expires_on < china_today():
            return "已失效"
        return self.badge


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
    if looks_like_doc_no(query):
        query = canonical_doc_no(query)       # 青政办发2026年3号, [2026], 第3号: read as the 文号 it is
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


def scope_tokens(path: str) -> list[str]:
    """The tenant and its ancestors as index words ("t12"), from its materialised path: a search
    of one subtree intersects its words with the scope's in the index, not after."""
    return [f"t{p}" for p in path.strip("/").split("/") if p]


def _tsvector(fields: dict[str, str], scope: list[str] = ()) -> str:
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
    words = [f"'{token}':{','.join(slots)}" for token, slots in positions.items()]
    # Scope words carry a character no text token has, so no query word can ever match them.
    return " ".join(words + [f"'{SCOPE_MARK}{word}'" for word in scope])


def _local_year(moment: datetime | None) -> int | None:
    return moment.astimezone(CHINA_TZ).year if moment is not None else None


def _write(conn, doc: SearchDocument) -> int:
    """Add or replace the entry of one document; Core statements on the session's connection, so
    it also runs inside a flush (see `_follow`)."""
    entries = SearchEntry.__table__
    key = (entries.c.plugin == doc.plugin) & (entries.c.kind == doc.kind) & (entries.c.ref_id == doc.id)
    body = doc.body or ""
    values = {"tenant_id": doc.tenant_id, "title": doc.title[:300], "url": doc.url[:500],
              "summary": body[:SUMMARY_CHARS], "published_at": doc.published_at,
              "year": _local_year(doc.published_at), "badge": doc.badge[:20], "code": doc.code[:200],
              "expires_on": doc.expires_on}
    entry_id = conn.scalar(select(entries.c.id).where(key))
    if entry_id is None:
        entry_id = conn.execute(insert(entries).values(plugin=doc.plugin, kind=doc.kind, ref_id=doc.id, **values)
                                .returning(entries.c.id)).scalar_one()
    else:
        conn.execute(update(entries).where(entries.c.id == entry_id).values(**values))
    fields = {"title": doc.title, "code": doc.code, "extra": doc.extra, "body": body}
    tenants = Tenant.__table__
    scope = scope_tokens(conn.scalar(select(tenants.c.path).where(tenants.c.id == doc.tenant_id)) or "")
    if conn.dialect.name == "postgresql":
        conn.execute(text("UPDATE search_entries SET vector = CAST(:vector AS tsvector) WHERE id = :id"),
                     {"vector": _tsvector(fields, scope), "id": entry_id})
    else:
        # bandit B608 reviewed: a constant table name; values bound
        conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": entry_id})  # nosec B608
        # bandit B608 reviewed: a constant table name; values bound
        conn.execute(text(f"INSERT INTO {FTS_TABLE} (rowid, title, code, extra, body, scope) "  # nosec B608
                          "VALUES (:id, :title, :code, :extra, :body, :scope)"),
                     {"id": entry_id, "scope": " ".join(scope),
                      **{name: " ".join(tokens(value)) for name, value in fields.items()}})
    return entry_id


def _delete_entries(conn, ids) -> None:
    """Delete entries and their FTS rows, in chunks the databases' parameter limits allow."""
    entries = SearchEntry.__table__
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        if conn.dialect.name != "postgresql":
            # bandit B608 reviewed: a constant table name; values bound
            conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid IN :ids")  # nosec B608
                         .bindparams(bindparam("ids", expanding=True)), {"ids": chunk})
        conn.execute(delete(entries).where(entries.c.id.in_(chunk)))


def _remove(conn, plugin: str, kind: str, ref_ids) -> None:
    entries = SearchEntry.__table__
    _delete_entries(conn, conn.scalars(select(entries.c.id).where(
        entries.c.plugin == plugin, entries.c.kind == kind, entries.c.ref_id.in_(list(ref_ids)))).all())


def index_document(doc: SearchDocument) -> int:
    """Add or replace the entry of one public document, in the caller's transaction; its id."""
    return _write(db.session.connection(), doc)


def remove_document(plugin: str, kind: str, ref_id: int) -> None:
    _remove(db.session.connection(), plugin, kind, [ref_id])


def clear(plugin: str | None = None, *, kind: str | None = None, tenant_ids=None) -> int:
    """Remove the entries (of one plugin, kind or set of tenants); returns how many."""
    conn = db.session.connection()
    entries = SearchEntry.__table__
    stmt = select(entries.c.id)
    if plugin:
        stmt = stmt.where(entries.c.plugin == plugin)
    if kind:
        stmt = stmt.where(entries.c.kind == kind)
    if tenant_ids is not None:
        stmt = stmt.where(entries.c.tenant_id.in_(list(tenant_ids)))
    ids = conn.scalars(stmt).all()
    _delete_entries(conn, ids)
    return len(ids)


# --- following the ORM --------------------------------------------------------------------------

@dataclass
class Sources:
    """The search sources of one application, by model."""
    all: list[SearchSource]
    by_model: dict[type, list[SearchSource]]
    follows: dict[type, list[SearchFollow]]

    @classmethod
    def build(cls, sources: list[SearchSource]) -> "Sources":
        by_model: dict[type, list[SearchSource]] = {}
        follows: dict[type, list[SearchFollow]] = {}
        for source in sources:
            by_model.setdefault(source.model, []).append(source)
            for follow in source.follows:
                follows.setdefault(follow.model, []).append(follow)
        return cls(all=sources, by_model=by_model, follows=follows)

    def source(self, key: str) -> SearchSource | None:
        return next((s for s in self.all if s.key == key), None)


def init_app(app, registry) -> None:
    from core.plugins import collect
    sources = [s for s in collect(registry.hook.search_sources) if isinstance(s, SearchSource)]
    keys = [s.key for s in sources]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        from core.plugins import PluginError
        raise PluginError(f"搜索来源重复：{', '.join(duplicates)}")
    app.extensions["cms_search"] = Sources.build(sources)


def sources() -> Sources:
    return current_app.extensions["cms_search"]


def _changed(obj, watch: tuple[str, ...]) -> bool:
    state = inspect(obj)
    if not watch:
        return any(state.attrs[c.key].history.has_changes() for c in state.mapper.column_attrs)
    return any(state.attrs[name].history.has_changes() for name in watch)


@event.listens_for(TenantSession, "after_flush")
def _follow(session, flush_context) -> None:
    """Re-index what this flush published, changed, withdrew or deleted, in the same transaction."""
    if not has_app_context() or "cms_search" not in current_app.extensions:
        return
    registry: Sources = current_app.extensions["cms_search"]
    if not registry.by_model:
        return
    todo: dict[tuple[SearchSource, int], object | None] = {}
    for obj in session.deleted:
        for source in registry.by_model.get(type(obj), ()):
            todo[(source, obj.id)] = None
    for obj in [*session.new, *session.dirty]:
        if obj in session.deleted:
            continue
        created = obj in session.new
        for source in registry.by_model.get(type(obj), ()):
            if created or _changed(obj, source.watch):
                todo[(source, obj.id)] = obj
        for follow in registry.follows.get(type(obj), ()):
            if created or _changed(obj, follow.watch):
                for child in follow.children(obj):
                    for source in registry.by_model.get(type(child), ()):
                        todo.setdefault((source, child.id), child)
    if not todo:
        return
    conn = session.connection()
    for (source, ref_id), obj in todo.items():
        doc = source.document(obj) if obj is not None else None
        if doc is None:
            _remove(conn, source.plugin, source.kind, [ref_id])
        else:
            _write(conn, doc)


def candidate_count(tenant_ids=None, *, only: str | None = None) -> int:
    """How many instances `reindex` will look at (for a progress bar)."""
    from core.tenants import across_tenants
    total = 0
    for source in sources().all:
        if not only or source.key == only:
            with across_tenants(tenant_ids, reason=f"search reindex: {source.key}"):
                total += db.session.scalar(select(func.count()).select_from(source.candidates().subquery())) or 0
    return total


def reindex(tenant_ids=None, *, only: str | None = None, progress=None) -> int:
    """Rebuild the entries of every source (or `only` one, "plugin.kind") for the given tenants
    (None: all); returns how many documents are indexed. Runs across those tenants."""
    from core.tenants import across_tenants
    count = 0
    for source in sources().all:
        if only and source.key != only:
            continue
        with across_tenants(tenant_ids, reason=f"search reindex: {source.key}"):
            clear(source.plugin, kind=source.kind, tenant_ids=tenant_ids)
            conn = db.session.connection()
            for obj in db.session.scalars(source.candidates()).yield_per(500):
                doc = source.document(obj)
                if doc is not None:
                    _write(conn, doc)
                    count += 1
                if progress is not None:
                    progress(1)
    return count


# --- querying -----------------------------------------------------------------------------------

def _fts_query(terms: list[list[Token]], field: str | None, scope: int | None = None,
               alternatives: list[list[list[Token]]] = ()) -> str:
    """An FTS5 query: every phrase of `terms`, or (OR) every phrase of one of the `alternatives`."""
    def all_of(terms: list[list[Token]]) -> str:
        phrases = []
        for term in terms:
            phrase = " + ".join(f'"{t.text}"' + (" *" if t.prefix else "") for t in term)
            phrases.append(f"({phrase})")
        return " AND ".join(phrases)

    expression = all_of(terms)
    if alternatives:
        expression = "(" + " OR ".join(f"({all_of(a)})" for a in [terms, *alternatives]) + ")"
    expression = f"{field} : ({expression})" if field else expression
    return f'{expression} AND scope : "t{int(scope)}"' if scope is not None else expression


def _ts_query(terms: list[list[Token]], field: str | None, scope: int | None = None,
              alternatives: list[list[list[Token]]] = ()) -> str:
    """A tsquery: every phrase of `terms`, or (|) every phrase of one of the `alternatives`."""
    weight = WEIGHTS[field] if field else ""

    def all_of(terms: list[list[Token]]) -> list[str]:
        phrases = []
        for term in terms:
            parts = [f"'{t.text}':" + ("*" if t.prefix else "") + weight if (t.prefix or weight) else f"'{t.text}'"
                     for t in term]
            phrases.append("(" + " <-> ".join(parts) + ")")
        return phrases

    phrases = all_of(terms)
    if alternatives:
        phrases = ["(" + " | ".join("(" + " & ".join(all_of(a)) + ")" for a in [terms, *alternatives]) + ")"]
    if scope is not None:
        phrases.append(f"'{SCOPE_MARK}t{int(scope)}'")
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
    # A bitmap of tens of thousands of matches must stay exact: a lossy one makes PostgreSQL
    # re-read and decompress the vector of every row on those pages.
    db.session.execute(text("SET LOCAL work_mem = '32MB'"))
    try:
        yield
    finally:
        db.session.execute(text("SET LOCAL enable_seqscan = on"))
        db.session.execute(text("RESET work_mem"))


def hits(query: str, *, plugin: str | None = None, kind: str | None = None, field: str | None = None,
         ranked: bool = True, scope: int | None = None, latest: int | None = None,
         limit: int | None = None, facets: bool = False, also: tuple[str, ...] | list[str] = ()):
    """The index's answer to `query`: a subquery of (entry_id, rank), rank higher is better (0 when
    not `ranked`, which spares computing it for counts), or None when the query has nothing to
    search for. `scope`, a tenant id, keeps the documents of that tenant and its descendants, inside
    the index. `latest` keeps only that many of the most recently indexed matches, `limit` that
    many matches in whatever order the index gives them (enough for a count that stops). Not
    tenant-filtered: join it with SearchEntry, whose rows are. `facets` (PostgreSQL only) adds the
    entry's plugin, kind, tenant_id, year and published_at, read in the same pass over the rows.
    On SQLite `plugin` and `kind` are not applied here (the FTS table does not hold them); `match`
    applies them. `also`: other queries, any of which may match instead (the 文号 `doc_no_years`
    found for a 文号 typed without its year)."""
    if field is not None and field not in FIELDS:
        raise ValueError(f"unknown search field {field!r}")
    terms = query_terms(query)
    if not terms:
        return None
    alternatives = [t for t in (query_terms(q) for q in also) if t]
    if _dialect() == "postgresql":
        # From the GIN index alone, through cms_search_hits (core migration 0014): it applies the
        # tenant scope itself, where row-level security would have tested every row of the index
        # before using it (docs/security.md). In a materialised CTE, so the planner cannot prefer
        # another index (tenant_id) and test the vector of every row.
        tsquery = cast(bindparam("search_query", _ts_query(terms, field, scope, alternatives), type_=Text), TSQUERY)
        hits_fn = func.cms_search_hits(tsquery, bool(ranked), plugin or None, kind or None, bool(latest),
                                       latest or limit or None).table_valued(
            column("entry_id", Integer), column("rank", Float), column("plugin", String), column("kind", String),
            column("tenant_id", Integer), column("year", Integer), column("published_at", DateTime))
        columns = [hits_fn.c.plugin, hits_fn.c.kind, hits_fn.c.tenant_id, hits_fn.c.year,
                   hits_fn.c.published_at] if facets else []
        found = select(hits_fn.c.entry_id, hits_fn.c.rank, *columns)
        return found.cte("search_hits").prefix_with("MATERIALIZED")
    rank = f"-bm25({FTS_TABLE}, {', '.join(str(w) for w in BM25_WEIGHTS)})" if ranked else "0.0"
    tail = f" ORDER BY rowid DESC LIMIT {int(latest)}" if latest else f" LIMIT {int(limit)}" if limit else ""
    # bandit B608 reviewed: constants and int(); the query is bound
    return (text(f"SELECT rowid AS entry_id, {rank} AS rank FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :search_query"  # nosec B608
                 + tail)
            .bindparams(search_query=_fts_query(terms, field, scope, alternatives))
            .columns(entry_id=Integer, rank=Float).subquery("fts_hits"))


MAX_DOC_NO_YEARS = 30        # 文号 of one issuer and number searched for a query without the year
DOC_NO_CANDIDATES = 500      # entries read to find them


def doc_no_years(query: str, *, plugin: str | None = None, kind: str | None = None, scope: int | None = None,
                 conditions=()) -> list[str]:
    """For a 文号 typed without its year (青政发4号): that issuer's number of every year among the
    entries the searcher may see (tenant-filtered; `conditions` on SearchEntry narrow further),
    newest year first, e.g. ["青政发〔2026〕4号", "青政发〔2024〕4号"]. Empty for any other query.

    Every year is kept: a person who leaves the year out either remembers only the number, or
    knows there is one such document; either way the list of them is the answer (with one, it is
    the document itself). Found through the index (the issuer's code and the number, in the 文号
    field), then checked exactly against the stored canonical 文号."""
    typed = abbreviated_doc_no(query)
    if typed is None:
        return []
    issuer, number = typed
    found = hits(f"{issuer} {number}号", plugin=plugin, kind=kind, field="code", ranked=False, scope=scope,
                 limit=DOC_NO_CANDIDATES)
    if found is None:
        return []
    stmt = select(SearchEntry.code).join(found, found.c.entry_id == SearchEntry.id).where(*conditions)
    if plugin:
        stmt = stmt.where(SearchEntry.plugin == plugin)
    if kind:
        stmt = stmt.where(SearchEntry.kind == kind)
    pattern = doc_no_pattern(issuer, number)
    years = {m.group(0) for code in db.session.scalars(stmt.distinct()) for m in pattern.finditer(code or "")}
    return sorted(years, key=lambda code: (code[len(issuer) + 1:len(issuer) + 5], code), reverse=True)[:MAX_DOC_NO_YEARS]


def match(query: str, *, plugin: str | None = None, kind: str | None = None, field: str | None = None,
          ranked: bool = True):
    """A subquery of the entries matching `query`, with columns ref_id, entry_id and rank (see
    `hits`), or None when the query has nothing to search for. Entries are tenant-filtered. A 文号
    typed without its year also finds that 文号 of each year (`doc_no_years`)."""
    also = doc_no_years(query, plugin=plugin, kind=kind) if field in (None, "code") else []
    found = hits(query, plugin=plugin, kind=kind, field=field, ranked=ranked, also=also)
    if found is None:
        return None
    stmt = (select(SearchEntry.ref_id, SearchEntry.id.label("entry_id"), found.c.rank)
            .join(found, found.c.entry_id == SearchEntry.id))
    if plugin:
        stmt = stmt.where(SearchEntry.plugin == plugin)
    if kind:
        stmt = stmt.where(SearchEntry.kind == kind)
    return stmt.subquery("search_match")


# --- site search --------------------------------------------------------------------------------

MAX_QUERY_CHARS = 100
SORTS = ("relevance", "newest")


@dataclass
class SiteQuery:
    """What a person asked the portal's search box, read from the query string."""
    q: str = ""
    type: str | None = None        # a source key, "catalog.record"
    tenant_id: int | None = None   # one tenant of the scope
    year: int | None = None
    whole: bool = False            # the whole district (county) instead of this tenant and below
    sort: str = "relevance"

    @classmethod
    def from_args(cls, args, known_types) -> "SiteQuery":
        def number(name: str, low: int, high: int) -> int | None:
            value = args.get(name, "")
            return int(value) if value.isascii() and value.isdigit() and low <= int(value) <= high else None

        q = " ".join((args.get("q") or "").split())[:MAX_QUERY_CHARS]
        kind = args.get("type") or None
        sort = args.get("sort") or ("relevance" if q else "newest")
        return cls(q=q, type=kind if kind in known_types else None, tenant_id=number("unit", 1, 2**31 - 1),
                   year=number("year", 1900, 2200), whole=args.get("scope") == "all",
                   sort=sort if sort in SORTS and (q or sort != "relevance") else "newest")

    def args(self, **override) -> dict:
        """Query-string arguments for links that keep this query and change one thing."""
        values = {"q": self.q or None, "type": self.type, "unit": self.tenant_id, "year": self.year,
                  "scope": "all" if self.whole else None,
                  "sort": self.sort if self.sort != ("relevance" if self.q else "newest") else None}
        values.update(override)
        return {k: v for k, v in values.items() if v not in (None, "")}


@dataclass
class SiteResults:
    page: object                   # core.pagination.Page of SearchEntry
    types: list[tuple[str, str, int]]      # (key, label, count)
    tenants: list[tuple[int, str, int]]    # (id, name, count)
    years: list[tuple[int, int]]
    more: bool = False             # more matches than FACET_LIMIT: counts are of the first ones
    newest_instead: bool = False   # relevance was asked for, but there were too many to rank
    doc_nos: tuple[str, ...] = ()  # the 文号 searched for a 文号 typed without its year (doc_no_years)


def _among(column, ids: list[int]):
    """`column IN ids` as one bound value (a PostgreSQL array; a JSON array read by json_each on
    SQLite): a district's few hundred ids as separate parameters cost more to render and parse
    than the search itself."""
    if _dialect() == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))
    return column.in_(select(literal_column("value")).select_from(
        func.json_each(bindparam(None, json.dumps(list(ids)), type_=String))))


def _visible(columns, tenants) -> list:
    """Conditions keeping the entries of the given tenants, of plugins this installation has and
    the tenant has not switched off: fail closed, as the tenant filter does (the entries of a
    plugin removed from the installation stay in the index until purged, and are never shown).
    `columns`: SearchEntry, or the columns of a subquery with tenant_id and plugin."""
    from core.plugins import PluginRegistry
    registry: PluginRegistry = current_app.extensions["cms"]
    present = sorted({s.plugin for s in sources().all})
    conditions = [_among(columns.tenant_id, [t.id for t in tenants]), columns.plugin.in_(present)]
    for name in present:
        on, off = [], []
        for t in tenants:
            (on if registry.is_enabled(t, name) else off).append(t.id)
        if not off:
            continue
        # Whichever list is shorter: a district's gazette is on for one unit and off for hundreds.
        conditions.append((columns.plugin != name) | _among(columns.tenant_id, on) if len(on) < len(off)
                          else ~((columns.plugin == name) & _among(columns.tenant_id, off)))
    return conditions


def _visible_entries(tenants) -> object:
    """Entries of the given tenants, less those of plugins a tenant has switched off."""
    return select(SearchEntry).where(*_visible(SearchEntry, tenants))


FACET_LIMIT = 10_000     # matches counted exactly for the total and the facets; beyond, "more than"
TENANT_FACET_SIZE = 20   # units listed in the unit facet
RANK_LIMIT = 2_000       # more matches than this are listed newest first: ranking them all costs seconds


def site_search(query: SiteQuery, tenants, *, page: int = 1, per_page: int = 20,
                scope: int | None = None) -> SiteResults:
    """Search the public documents of `tenants` (the caller's scope, already chosen and allowed:
    `scope`, the tenant at its top, narrows the index lookup to them).

    One statement gives the facets, the total and the newest-first page; ranking by relevance
    takes a second. Facets (type, tenant, year) are counted as if their own choice were not made.
    A word found in tens of thousands of documents is counted up to FACET_LIMIT matches (the total then reads "more than"), and more than RANK_LIMIT matches are
    listed newest first: counting and ranking every match would cost seconds at a city's scale and
    tell a person nothing more."""
    from core.pagination import Page
    labels = {s.key: s.label for s in sources().all}
    also = tuple(doc_no_years(query.q, scope=scope, conditions=_visible(SearchEntry, tenants))) if query.q else ()

    def matching(ranked: bool, latest: int | None = None, limit: int | None = None):
        base = _visible_entries(tenants)
        if not query.q:
            return base, None
        found = hits(query.q, ranked=ranked, scope=scope, latest=latest, limit=limit, also=also)
        return (None, None) if found is None else (base.join(found, found.c.entry_id == SearchEntry.id), found)

    if query.q and _dialect() == "postgresql":
        # The narrow columns come with the index's own pass over the rows: joining the matches
        # back to search_entries would read every matching row a second time.
        found = hits(query.q, ranked=False, scope=scope, limit=FACET_LIMIT + 1, facets=True, also=also)
        if found is None:
            return SiteResults(Page([], page, per_page, 0), [], [], [])
        c = found.c
        narrow = select(c.entry_id.label("id"), c.plugin, c.kind, c.tenant_id, c.year, c.published_at) \
            .where(*_visible(c, tenants))
    else:
        base, found = matching(ranked=False, limit=FACET_LIMIT + 1)
        if base is None:
            return SiteResults(Page([], page, per_page, 0), [], [], [])
        narrow = base.with_only_columns(SearchEntry.id, SearchEntry.plugin, SearchEntry.kind,
                                        SearchEntry.tenant_id, SearchEntry.year, SearchEntry.published_at)
    start = (page - 1) * per_page
    with prefer_index():
        # One statement: the matches' narrow rows are gathered once (materialised), then grouped by
        # (type, tenant, year) for the facets and the total, and the page of ids is taken from them
        # newest first. Only the groups and one page of ids leave the database.
        m = narrow.limit(FACET_LIMIT + 1).cte("site_matches").prefix_with("MATERIALIZED")
        groups = select(literal(0).label("part"), m.c.plugin, m.c.kind, m.c.tenant_id, m.c.year,
                        func.count().label("n")).group_by(m.c.plugin, m.c.kind, m.c.tenant_id, m.c.year)
        newest = (select(m.c.id).where(*_chosen(m.c, query)).order_by(*_newest(m.c))
                  .limit(per_page).offset(start).subquery("site_page"))
        # The page's rows (part 1) carry the entry id where the groups (part 0) carry their count.
        null = literal(None, String)
        page_rows = select(literal(1), null, null, literal(None, Integer), literal(None, Integer), newest.c.id)
        rows = db.session.execute(union_all(groups, page_rows)).all()
        counts = {"type": Counter(), "tenant": Counter(), "year": Counter()}
        total = matched = 0
        ids = []
        for part, plugin, kind, tenant_id, year, n in rows:
            if part:
                ids.append(n)
                continue
            matched += n
            # Each facet counts the rows the *other* choices keep.
            key = f"{plugin}.{kind}"
            type_ok = query.type is None or key == query.type
            tenant_ok = query.tenant_id is None or tenant_id == query.tenant_id
            year_ok = query.year is None or year == query.year
            if tenant_ok and year_ok:
                counts["type"][key] += n
            if type_ok and year_ok:
                counts["tenant"][tenant_id] += n
            if type_ok and tenant_ok:
                counts["year"][year] += n
                if year_ok:
                    total += n
        more = matched > FACET_LIMIT
        by_relevance = found is not None and query.sort == "relevance" and total <= RANK_LIMIT
        if total and (by_relevance or more):
            ids = _page_ids(matching, query, page, per_page, ranked=by_relevance)
        by_id = {e.id: e for e in db.session.scalars(select(SearchEntry).where(SearchEntry.id.in_(ids)))} \
            if ids else {}
        items = [by_id[i] for i in ids if i in by_id]
    names = {t.id: t.name for t in tenants}
    order = {t.id: i for i, t in enumerate(tenants)}
    types = sorted(((k, labels.get(k, k), n) for k, n in counts["type"].items()),
                   key=lambda x: (list(labels).index(x[0]) if x[0] in labels else 99))
    # The units with the most matches (a district has hundreds), the chosen one always among them.
    top = [tid for tid, _ in counts["tenant"].most_common(TENANT_FACET_SIZE)]
    if query.tenant_id in counts["tenant"] and query.tenant_id not in top:
        top.append(query.tenant_id)
    tenant_counts = sorted(((tid, names.get(tid, ""), counts["tenant"][tid]) for tid in top),
                           key=lambda x: order.get(x[0], 0))
    years = sorted(((y, n) for y, n in counts["year"].items() if y is not None), reverse=True)
    return SiteResults(Page(items, page, per_page, total), types, tenant_counts, years, more=more,
                       newest_instead=query.sort == "relevance" and not by_relevance and found is not None,
                       doc_nos=also)


def _newest(columns) -> tuple:
    """Newest first (`columns`: SearchEntry or a subquery's); undated last on both databases."""
    return columns.published_at.desc().nulls_last(), columns.id.desc()


def _chosen(columns, query: SiteQuery) -> list:
    """Conditions for the type, unit and year a person chose (`columns`: SearchEntry or a subquery's)."""
    conditions = []
    if query.type:
        conditions.append(columns.plugin + "." + columns.kind == query.type)
    if query.tenant_id:
        conditions.append(columns.tenant_id == query.tenant_id)
    if query.year:
        conditions.append(columns.year == query.year)
    return conditions


def _page_ids(matching, query: SiteQuery, page: int, per_page: int, *, ranked: bool) -> list[int]:
    """A page of ids from the index again: by relevance (equal ranks newest first; at most
    RANK_LIMIT matches to rank), or newest first when there are more matches than were read.
    Unfiltered, the newest are the most recently indexed (entries are written when published):
    they are read from the end of the index, not found by sorting every match."""
    unfiltered = not (query.type or query.tenant_id or query.year)
    stmt, found = matching(ranked=ranked, latest=page * per_page if unfiltered and not ranked else None)
    order = (found.c.rank.desc(), *_newest(SearchEntry)) if ranked else _newest(SearchEntry)
    return list(db.session.scalars(stmt.where(*_chosen(SearchEntry, query)).order_by(*order)
                                   .with_only_columns(SearchEntry.id)
                                   .limit(per_page).offset((page - 1) * per_page)))


_ASCII_WORD = "0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"


def _pattern(query: str) -> re.Pattern | None:
    """A regular expression finding the query's terms in displayed text, whatever the brackets or
    spaces between their characters (as the index ignores them)."""
    parts = []
    for term in normalise(query).split()[:MAX_QUERY_TERMS]:
        chars = [c for c in term if c.isalnum()]
        if chars:
            # The text is shown as written: an ASCII letter or digit may be full-width there. The
            # index matches letters and digits as whole words, so must the highlight.
            body = r"[\W_]{0,3}".join(f"[{re.escape(c)}{chr(ord(c) + 0xFEE0)}]" if c.isascii() else re.escape(c)
                                      for c in chars)
            left = rf"(?<![{_ASCII_WORD}])" if chars[0].isascii() else ""
            right = rf"(?![{_ASCII_WORD}])" if chars[-1].isascii() else ""
            parts.append(left + body + right)
    if not parts:
        return None
    return re.compile("|".join(sorted(parts, key=len, reverse=True)), re.IGNORECASE)


def highlight(value: str, query: str, *, around: int | None = None):
    """`value` escaped, with the query's terms in <mark>. With `around`, a snippet of about that
    many characters either side of the first match (the start of the text when none matches)."""
    from markupsafe import Markup, escape
    value = value or ""
    pattern = _pattern(query) if query else None
    matches = list(pattern.finditer(value)) if pattern else []
    start, end, prefix, suffix = 0, len(value), "", ""
    if around is not None:
        first = matches[0].start() if matches else 0
        start = max(first - around, 0)
        end = min(start + 2 * around + (matches[0].end() - first if matches else 0), len(value))
        prefix, suffix = ("…" if start else ""), ("…" if end < len(value) else "")
    out, position = [prefix], start
    for m in matches:
        if m.end() <= start or m.start() >= end:
            continue
        s, e = max(m.start(), start), min(m.end(), end)
        out.append(str(escape(value[position:s])) + f"<mark>{escape(value[s:e])}</mark>")
        position = e
    out.append(str(escape(value[position:end])) + suffix)
    # bandit B704 reviewed: every piece went through escape()
    return Markup("".join(out))  # nosec B704
