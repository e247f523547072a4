"""The county's 政策文件库: every published 规范性文件 and policy document of a district and the units
under it (towns, and villages, counted with their town), in one place.

It stores nothing. Each request asks the hook `policy_documents(tenant_ids)` of the plugins enabled
for each unit (one call per set of units that have the same plugins on, so every unit's ids reach
exactly its own plugins), keeps only documents of those units, and lists a document that two
plugins show once (`same_as`: a gazette article that reprints a catalog record is listed as the
record, with the gazette's copy linked under 另见). Filters, counts per filter option and the search
are computed on that list, so what is counted is exactly what is listed.

The search reads what people type as site search does: a whole 文号 with brackets written any way
(青政规[2026]1号, （2026）, 2026年1号, 第1号) is the 文号 itself (core's canonical form); a 文号 without
its year (青政规1号) finds that number of every year; anything else is words, separated by spaces,
each of which must be in the title or the 文号 (brackets and full-width characters folded).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone

from flask import current_app
from sqlalchemy import select

from core.plugin_api import (canonical_doc_no, china_date, china_today, collect, db, looks_like_doc_no, Page,
                             PolicyDocument, Tenant)

PER_PAGE = 20
TYPE_LABELS = {"normative": "规范性文件", "policy": "其他政策文件"}
VALIDITY_LABELS = {"valid": "有效", "expired": "失效", "repealed": "废止", "amended": "已修改"}
FACETS = ("unit", "issuer", "year", "doc_type", "validity", "topic")
FACET_LABELS = {"unit": "发布单位", "issuer": "发文机关", "year": "成文年份", "doc_type": "文件类型",
                "validity": "时效", "topic": "主题"}
MAX_QUERY = 100


# --- reading what people type -------------------------------------------------------------------

_OPEN, _CLOSE = "[(（【［〔﹝{｛〈<", "])）】］〕﹞}｝〉>"
_BRACKETS = str.maketrans({**{c: "〔" for c in _OPEN}, **{c: "〕" for c in _CLOSE}})
_ABBREVIATED = re.compile(r"^(?P<issuer>[^\W\d_]+?)\s*第?\s*0*(?P<number>[1-9]\d{0,4})\s*号$")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def fold(text: str | None) -> str:
    """Text as the search compares it: full-width folded, every bracket as 〔〕, no spaces, lower case."""
    folded = unicodedata.normalize("NFKC", text or "").translate(_BRACKETS)
    return re.sub(r"\s+", "", folded).lower()


@dataclass(frozen=True)
class Matcher:
    """What a search asks for: a whole 文号, a 文号 without its year, or words."""
    doc_no: str = ""                       # canonical
    pattern: re.Pattern | None = None      # a 文号 of any year
    words: tuple[str, ...] = ()

    @classmethod
    def of(cls, q: str) -> "Matcher | None":
        q = (q or "").strip()
        if not q:
            return None
        if looks_like_doc_no(q):
            return cls(doc_no=canonical_doc_no(q))
        folded = unicodedata.normalize("NFKC", q)
        found = _ABBREVIATED.match(folded.strip())
        if found and _CJK.search(found.group("issuer")) and found.group("issuer") != "第":
            issuer, number = found.group("issuer"), int(found.group("number"))
            pattern = re.compile(rf"(?<![^\W\d_]){re.escape(issuer)}〔(?:19|20)\d\d〕{number}号", re.IGNORECASE)
            return cls(pattern=pattern, words=(fold(q),))
        return cls(words=tuple(w for w in (fold(part) for part in q.split()) if w))

    def matches(self, entry: "Entry") -> bool:
        if self.doc_no:
            return entry.canonical_no == self.doc_no or fold(self.doc_no) in entry.folded_title
        if self.pattern is not None and self.pattern.search(entry.canonical_no):
            return True
        return bool(self.words) and all(w in entry.folded_title or w in entry.folded_no for w in self.words)


# --- the query ----------------------------------------------------------------------------------

def _text(value, limit: int = 100) -> str | None:
    value = re.sub(r"\s+", " ", str(value or "")).strip()[:limit]
    return value or None


@dataclass
class LibraryQuery:
    """What someone asked the library: the words and the filters chosen (invalid values dropped)."""
    q: str = ""
    unit: str | None = None          # a unit's slug
    issuer: str | None = None
    year: int | None = None
    doc_type: str | None = None
    validity: str | None = None
    topic: str | None = None

    @classmethod
    def from_args(cls, args) -> "LibraryQuery":
        try:
            year = int(str(args.get("year") or "").strip() or 0) or None
        except ValueError:
            year = None
        return cls(q=_text(args.get("q"), MAX_QUERY) or "", unit=_text(args.get("unit"), 40),
                   issuer=_text(args.get("issuer")), year=year if year and 1900 <= year <= 2200 else None,
                   doc_type=args.get("type") if args.get("type") in TYPE_LABELS else None,
                   validity=args.get("validity") if args.get("validity") in VALIDITY_LABELS else None,
                   topic=_text(args.get("topic")))

    def chosen(self, name: str):
        return getattr(self, name)

    @property
    def is_filtered(self) -> bool:
        return bool(self.q) or any(self.chosen(name) for name in FACETS)

    def args(self, **override) -> dict:
        """Query-string arguments of this query (for links that keep it), `override` applied."""
        values = {"q": self.q, "unit": self.unit, "issuer": self.issuer, "year": self.year,
                  "type": self.doc_type, "validity": self.validity, "topic": self.topic}
        values.update(override)
        return {k: v for k, v in values.items() if v not in (None, "")}


# --- the documents ------------------------------------------------------------------------------

@dataclass
class Entry:
    """One document of the library: the document (merged from the plugins that show it) and what
    the library derives from it."""
    doc: PolicyDocument
    unit: Tenant                                   # the district or the town (a village's town)
    validity: str                                  # as shown: a valid document past its validity_date is expired
    year: int | None
    issuers: tuple[str, ...]
    also: tuple[tuple[str, str], ...] = ()         # (label, url) of the other places that show it
    canonical_no: str = field(init=False)
    folded_no: str = field(init=False)
    folded_title: str = field(init=False)

    def __post_init__(self):
        self.canonical_no = canonical_doc_no(self.doc.doc_no)
        self.folded_no = fold(self.canonical_no)
        self.folded_title = fold(self.doc.title)

    @property
    def validity_label(self) -> str:
        return VALIDITY_LABELS[self.validity]

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.doc.doc_type, TYPE_LABELS["policy"])

    @property
    def date(self) -> date | None:
        return _written(self.doc)

    def value(self, name: str):
        return {"unit": self.unit.slug, "year": self.year, "doc_type": self.doc.doc_type,
                "validity": self.validity, "topic": self.doc.topic or None}[name]


def _written(doc: PolicyDocument) -> date | None:
    if isinstance(doc.written_date, datetime):
        return doc.written_date.date()
    if isinstance(doc.written_date, date):
        return doc.written_date
    if isinstance(doc.published_at, datetime):
        return china_date(doc.published_at)
    return None


def units(district: Tenant) -> list[Tenant]:
    """The district and its active towns and villages, in the tree's order (one query)."""
    rows = db.session.scalars(select(Tenant).where(Tenant.path.startswith(district.path), Tenant.status == "active")
                              .order_by(Tenant.sort_order, Tenant.id)).all()
    by_id = {t.id: t for t in rows}
    if district.id not in by_id:
        rows, by_id[district.id] = [district, *rows], district
    for t in rows:                                   # their URLs need their ancestors: known here
        if t.id != district.id:
            t.__dict__.setdefault("_ancestors", [by_id[i] for i in t.ancestor_ids if i in by_id])
    depth = {t.id: len(t.ancestor_ids) for t in rows}
    towns = [t for t in rows if depth[t.id] == 1]
    ordered = [district]
    for town in towns:
        ordered.append(town)
        ordered.extend(t for t in rows if depth[t.id] == 2 and t.parent_id == town.id)
    return ordered


def gathered(district: Tenant) -> tuple[list[PolicyDocument], list[Tenant]]:
    """The documents every unit's plugins give (of those units only), and the units."""
    registry = current_app.extensions["cms"]
    tree = units(district)
    groups: dict[tuple[str, ...], list[Tenant]] = {}
    for t in tree:
        groups.setdefault(tuple(registry.enabled_names(t)), []).append(t)
    allowed = {t.id for t in tree}
    found: list[PolicyDocument] = []
    for members in groups.values():
        hook = registry.hook_for(members[0], "policy_documents")
        found += [d for d in collect(hook, tenant_ids=[t.id for t in members])
                  if isinstance(d, PolicyDocument) and d.tenant_id in allowed]
    return found, tree


def deduplicated(documents: list[PolicyDocument], labels: dict | None = None) -> list[tuple[PolicyDocument, tuple]]:
    """Each document once: those naming the same original (`same_as`) are merged into the original
    (or, when it is not listed, into the first of them). Empty fields of the original are filled
    from the copies, 解读 of all are kept; the copies' pages are returned as (label, url), labelled
    with their plugin's title (`labels`: plugin name → title)."""
    labels = labels or {}
    by_ref: dict[str, PolicyDocument] = {}
    for d in documents:
        by_ref.setdefault(d.ref, d)

    def original(d: PolicyDocument) -> str:
        key, seen = d.same_as or d.ref, {d.ref}
        while key in by_ref and by_ref[key].same_as and key not in seen:
            seen.add(key)
            key = by_ref[key].same_as
        return key

    groups: dict[str, list[PolicyDocument]] = {}
    for d in by_ref.values():
        groups.setdefault(original(d), []).append(d)
    out = []
    for key, members in groups.items():
        first = by_ref.get(key) if key in by_ref else min(members, key=lambda d: (_stamp(d.published_at), d.ref))
        others = [d for d in members if d is not first]
        merged = first
        for other in others:
            filled = {name: getattr(other, name) for name in ("doc_no", "issuing_body", "topic", "written_date",
                                                               "validity_date", "replaced_by")
                      if not getattr(merged, name) and getattr(other, name)}
            merged = replace(merged, **filled) if filled else merged
        seen_urls, readings = set(), []
        for d in [first, *others]:
            for reading in d.interpretations or ():
                if reading[1] not in seen_urls:
                    seen_urls.add(reading[1])
                    readings.append(tuple(reading))
        merged = replace(merged, interpretations=tuple(readings))
        also = tuple((labels.get(d.plugin, d.plugin), d.url) for d in others)
        out.append((merged, also))
    return out


def _stamp(moment) -> float:
    if isinstance(moment, datetime):
        return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()
    return 0.0


def entries(district: Tenant) -> tuple[list[Entry], list[Tenant]]:
    """Every document of the library, newest first (成文日期, then publication), and the units."""
    documents, tree = gathered(district)
    by_id = {t.id: t for t in tree}
    today = china_today()
    out = []
    labels = {name: info.title for name, info in current_app.extensions["cms"].infos.items()}
    for doc, also in deduplicated(documents, labels):
        tenant = by_id[doc.tenant_id]
        unit = tenant if len(tenant.ancestor_ids) <= 1 else by_id.get(tenant.parent_id, tenant)
        validity = doc.validity if doc.validity in VALIDITY_LABELS else "valid"
        if validity == "valid" and isinstance(doc.validity_date, date) and doc.validity_date < today:
            validity = "expired"                     # its stated period of validity has ended
        written = _written(doc)
        issuers = tuple(dict.fromkeys(n.strip() for n in re.split(r"[、，,;；]", doc.issuing_body or "") if n.strip()))
        out.append(Entry(doc=doc, unit=unit, validity=validity, year=written.year if written else None,
                         issuers=issuers, also=also))
    out.sort(key=lambda e: (e.date or date.min, _stamp(e.doc.published_at), e.doc.ref), reverse=True)
    return out, tree


# --- searching and counting ---------------------------------------------------------------------

def _keeps(entry: Entry, query: LibraryQuery, matcher: Matcher | None, skip: str | None = None) -> bool:
    if matcher is not None and not matcher.matches(entry):
        return False
    for name in FACETS:
        want = query.chosen(name)
        if want is None or name == skip:
            continue
        if name == "issuer":
            if want not in entry.issuers:
                return False
        elif entry.value(name) != want:
            return False
    return True


@dataclass
class Result:
    page: Page
    facets: dict                     # name -> [(value, label, count)], the chosen value always among them
    units: list
    total_documents: int             # the whole library, before the search and the filters


def search(district: Tenant, query: LibraryQuery, page: int = 1, per_page: int = PER_PAGE) -> Result:
    """One page of the documents matching the query, and the counts of every filter option among
    the documents matching the query's other choices (so each option says what choosing it gives)."""
    everything, tree = entries(district)
    matcher = Matcher.of(query.q)
    unit_labels = {t.slug: t.name for t in tree if len(t.ancestor_ids) <= 1}
    if query.unit not in unit_labels:
        query.unit = None
    matching = [e for e in everything if _keeps(e, query, matcher)]
    facets = {}
    for name in FACETS:
        counts: dict = {}
        for e in everything:
            if not _keeps(e, query, matcher, skip=name):
                continue
            values = e.issuers if name == "issuer" else (e.value(name),)
            for v in values:
                if v is not None:
                    counts[v] = counts.get(v, 0) + 1
        chosen = query.chosen(name)
        if chosen is not None and chosen not in counts:
            counts[chosen] = 0
        facets[name] = [(v, _label(name, v, unit_labels), n) for v, n in _ordered(name, counts, unit_labels)]
    page = max(page, 1)
    items = matching[(page - 1) * per_page: page * per_page]
    return Result(page=Page(items=items, page=page, per_page=per_page, total=len(matching)), facets=facets,
                  units=tree, total_documents=len(everything))


def _ordered(name: str, counts: dict, unit_labels: dict) -> list[tuple]:
    if name == "unit":
        order = list(unit_labels)
        return sorted(counts.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
    if name == "year":
        return sorted(counts.items(), reverse=True)
    if name == "doc_type":
        return [(k, counts[k]) for k in TYPE_LABELS if k in counts]
    if name == "validity":
        return [(k, counts[k]) for k in VALIDITY_LABELS if k in counts]
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _label(name: str, value, unit_labels: dict) -> str:
    if name == "unit":
        return unit_labels.get(value, value)
    if name == "year":
        return f"{value}年"
    if name == "doc_type":
        return TYPE_LABELS[value]
    if name == "validity":
        return VALIDITY_LABELS[value]
    return str(value)
