"""Matching an imported catalog to the tenant's items (its standard catalog), row by row.

A county's spreadsheet rarely spells the standard's items the same way: 招生管理/招生政策 is the
standard's 招生入学/招生政策和划片范围. Each imported row is proposed the tenant item it most likely
is, within the same domain, or "new"; the editor confirms or changes each proposal.

How names are compared (pure functions, no database):

- Names are normalised first: full-/half-width, spaces, punctuation and brackets go, and so do the
  connectives 以及/和/及/与 (招生政策和划片范围 → 招生政策划片范围).
- `similarity(a, b)` is 1.0 for equal normalised names, else the larger of difflib's ratio and
  0.8 when one name contains the other (招生政策 in 招生政策划片范围: 0.8, where the ratio is 0.67).
- A leaf row (an item that carries elements) is compared with the tenant's leaf items:
  0.75 × similarity of the item names + 0.25 × similarity of their first-level names when both are
  second-level items; similarity of the names alone when both are first-level; 0.9 × similarity of
  the names when one is first-level and the other second-level.
- A grouping row (a 一级事项 over 二级事项) is compared with the tenant's grouping items: the larger of
  the similarity of the names and the share of its rows proposed under that item (招生管理 over
  招生政策 and 学校名录, both proposed under 招生入学, is 招生入学 although the names differ).
- A proposal needs a score of at least MATCH_THRESHOLD (0.6). Exact matches come first: pairs are
  assigned greedily from the highest score down, each tenant item to at most one row.
- A domain with more than MAX_PAIRS_PER_DOMAIN (row, item) pairs is matched on equal names only.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

MATCH_THRESHOLD = 0.6
CONTAINED_SCORE = 0.8
CHILD_WEIGHT, PARENT_WEIGHT = 0.75, 0.25
CROSS_LEVEL_WEIGHT = 0.9
# Beyond this many (row, item) pairs in one domain only equal names are matched, so that an
# oversized catalog cannot keep a request busy (the shipped standard has at most 8 items a domain).
MAX_PAIRS_PER_DOMAIN = 100_000

_CONNECTIVES = re.compile(r"以及|[和及与]")
_NOT_WORD = re.compile(r"[^\w]|_", re.UNICODE)


@lru_cache(maxsize=16384)
def normalise_name(name: str | None) -> str:
    """The part of a name that matters for matching: no spaces, punctuation, brackets or 和/及/与."""
    text = unicodedata.normalize("NFKC", name or "")
    text = _NOT_WORD.sub("", text)
    return _CONNECTIVES.sub("", text).lower()


def similarity(a: str | None, b: str | None) -> float:
    """0..1: 1.0 for the same normalised name; see the module's docstring."""
    return _similarity(normalise_name(a), normalise_name(b))


@lru_cache(maxsize=131072)   # a preview compares each pair more than once (proposals, options, the check)
def _similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    score = SequenceMatcher(None, a, b, autojunk=False).ratio()
    if min(len(a), len(b)) >= 2 and (a in b or b in a):
        score = max(score, CONTAINED_SCORE)
    return score


@dataclass
class Row:
    """One imported row as matching sees it: a leaf (carries elements) or a grouping item."""
    n: int
    domain_code: str
    name: str
    parent_name: str = ""          # the imported 一级事项 over this row, for a second-level leaf
    parent_n: int | None = None
    group: bool = False
    children: list[int] = field(default_factory=list)


@dataclass
class Candidate:
    """One of the tenant's items a row may correspond to."""
    id: int
    domain_code: str
    name: str
    parent_id: int | None = None
    parent_name: str = ""
    group: bool = False


@dataclass
class Proposal:
    item_id: int | None            # None: a new item
    score: float = 0.0
    reason: str = ""               # 名称相同 / 名称相近（72%）/ 所含事项对应


def leaf_score(row: Row, item: Candidate) -> float:
    names = similarity(row.name, item.name)
    if row.parent_name and item.parent_name:
        if names == 1.0 and similarity(row.parent_name, item.parent_name) == 1.0:
            return 1.0
        return CHILD_WEIGHT * names + PARENT_WEIGHT * similarity(row.parent_name, item.parent_name)
    if not row.parent_name and not item.parent_name:
        return names
    return CROSS_LEVEL_WEIGHT * names


def _assign(pairs: list[tuple[float, int, int, int]], taken: set[int], out: dict[int, Proposal], reason) -> None:
    """Greedy one-to-one: highest score first; ties by file order, then by the tenant's order."""
    for score, _, n, item_id in sorted(pairs, key=lambda p: (-p[0], p[2], p[1])):
        if score < MATCH_THRESHOLD or n in out or item_id in taken:
            continue
        out[n] = Proposal(item_id, round(score, 2), reason(n, item_id, score))
        taken.add(item_id)


def propose(rows: list[Row], candidates: list[Candidate]) -> dict[int, Proposal]:
    """For every row, the tenant item it is proposed to update, or Proposal(None) for a new item."""
    out: dict[int, Proposal] = {}
    taken: set[int] = set()
    order = {c.id: i for i, c in enumerate(candidates)}
    by_id = {c.id: c for c in candidates}
    by_n = {r.n: r for r in rows}

    def why(n: int, item_id: int, score: float) -> str:
        row, item = by_n[n], by_id[item_id]
        if normalise_name(row.name) == normalise_name(item.name):
            same_parent = normalise_name(row.parent_name) == normalise_name(item.parent_name)
            return "名称相同" if same_parent or row.group else "名称相同（所属一级事项不同）"
        if row.group and similarity(row.name, item.name) < score:
            return "所含事项对应"
        return f"名称相近（{round(score * 100)}%）"

    score = _scorer(rows, candidates)
    leaves = [r for r in rows if not r.group]
    pairs = [(score(r, c), order[c.id], r.n, c.id) for r in leaves for c in candidates
             if not c.group and c.domain_code == r.domain_code]
    _assign(pairs, taken, out, why)
    groups = [r for r in rows if r.group]
    pairs = []
    for r in groups:
        for c in candidates:
            if not c.group or c.domain_code != r.domain_code:
                continue
            under = sum(1 for n in r.children if n in out and by_id[out[n].item_id].parent_id == c.id)
            share = under / len(r.children) if r.children else 0.0
            pairs.append((max(score(r, c), share), order[c.id], r.n, c.id))
    _assign(pairs, taken, out, why)
    for r in rows:
        out.setdefault(r.n, Proposal(None))
    return out


def _scorer(rows: list[Row], candidates: list[Candidate]):
    """score(row, item): leaf_score, or the names' similarity for grouping rows; equal names only
    (1.0 or 0.0) in a domain with too many pairs."""
    per_domain: dict[str, list[int]] = {}
    for r in rows:
        per_domain.setdefault(r.domain_code, [0, 0])[0] += 1
    for c in candidates:
        if c.domain_code in per_domain:
            per_domain[c.domain_code][1] += 1
    oversized = {d for d, (r, c) in per_domain.items() if r * c > MAX_PAIRS_PER_DOMAIN}

    def score(row: Row, item: Candidate) -> float:
        if row.domain_code in oversized:
            return 1.0 if normalise_name(row.name) == normalise_name(item.name) else 0.0
        return similarity(row.name, item.name) if row.group else leaf_score(row, item)
    return score


def ranked_candidates(row: Row, candidates: list[Candidate], rows: list[Row] | None = None) -> list[tuple[Candidate, float]]:
    """The items an editor may choose for `row` (same domain, same kind), the likeliest first."""
    score = _scorer(rows or [row], candidates)
    allowed = [c for c in candidates if c.domain_code == row.domain_code and c.group == row.group]
    return sorted(((c, score(row, c)) for c in allowed), key=lambda pair: -pair[1])
