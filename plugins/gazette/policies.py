"""The gazette's documents for the county's 政策文件库 (the policy_documents hook).

Which articles are policy documents: those of a published issue in the section 规范性文件, or whose
文号 is a 规范性文件's (its issuer's code ends in 规: 青政规〔2026〕1号), are `normative`; those in the
sections 政府令, 政府文件, 政府办公室文件 and 部门文件 are other policy documents (`policy`). 人事任免,
政策解读 and errata (勘误, an article that corrects another) are not policy documents.

What it says of each: its 时效 as the archive keeps it; an article replaced by a published one
(`superseded_by`) names it; a valid article corrected by a published erratum is 已修改 (amended),
with the erratum as what amended it, since the text in force is no longer the one first printed;
an article that reprints another plugin's document (`source_ref`, from lookup_documents) names the
original in `same_as`, so the library lists it once. Its 解读 are the 政策解读 articles of the same
gazette whose title names the document (《…》) as the document's title does.

One query for all of it: the published articles of the tenants (light columns, no body), from which
the replacements, errata and interpretations are found in memory.
"""
from __future__ import annotations

import re

from sqlalchemy import select

from core.plugin_api import across_tenants, canonical_doc_no, db, PolicyDocument, Tenant, url_path_for
from plugins.gazette.models import GazetteArticle, GazetteIssue

NORMATIVE_SECTION = "规范性文件"
POLICY_SECTIONS = frozenset({"政府令", "政府文件", "政府办公室文件", "部门文件"})
INTERPRETATION_SECTION = "政策解读"
_NORMATIVE_DOC_NO = re.compile(r"规〔(?:19|20)\d\d〕\d+号$")
_QUOTED = re.compile(r"《([^《》]{2,100})》")


def doc_type(section: str, doc_no: str, corrects_id: int | None) -> str | None:
    """"normative", "policy" or None (not a policy document) for an article of a published issue."""
    if corrects_id is not None:
        return None
    if section == NORMATIVE_SECTION or _NORMATIVE_DOC_NO.search(canonical_doc_no(doc_no or "")):
        return "normative"
    if section in POLICY_SECTIONS:
        return "policy"
    return None


def _names(title: str) -> set[str]:
    return set(_QUOTED.findall(title or ""))


def policy_documents(tenant_ids) -> list[PolicyDocument]:
    ids = sorted({int(t) for t in tenant_ids or ()})
    if not ids:
        return []
    columns = (GazetteArticle.id, GazetteArticle.tenant_id, GazetteArticle.section, GazetteArticle.title,
               GazetteArticle.doc_no, GazetteArticle.issuers, GazetteArticle.written_date,
               GazetteArticle.validity, GazetteArticle.validity_date, GazetteArticle.superseded_by_id,
               GazetteArticle.corrects_id, GazetteArticle.source_ref, GazetteIssue.published_on,
               GazetteIssue.published_at, GazetteIssue.total_number)
    with across_tenants(ids, reason="the county's 政策文件库 reads the published gazette articles of its units"):
        rows = db.session.execute(
            select(*columns).join(GazetteIssue, GazetteIssue.id == GazetteArticle.issue_id)
            .where(GazetteIssue.status == "published", GazetteArticle.tenant_id.in_(ids))
            .order_by(GazetteIssue.total_number, GazetteArticle.section_position, GazetteArticle.position,
                      GazetteArticle.id)).all()
        tenants = {t: db.session.get(Tenant, t) for t in {r.tenant_id for r in rows}}
    if not rows:
        return []

    def url(row) -> str:
        return url_path_for("gazette.article", tenant=tenants[row.tenant_id], article_id=row.id)

    by_id = {r.id: r for r in rows}
    errata: dict[int, list] = {}
    interpretations: dict[tuple[int, str], list] = {}
    for r in rows:
        if r.corrects_id is not None:
            errata.setdefault(r.corrects_id, []).append(r)     # in print order: the latest last
        if r.section == INTERPRETATION_SECTION:
            for name in _names(r.title):
                interpretations.setdefault((r.tenant_id, name), []).append(r)

    out = []
    for r in rows:
        kind = doc_type(r.section, r.doc_no, r.corrects_id)
        if kind is None:
            continue
        validity, validity_date, replaced_by = r.validity, r.validity_date, ()
        replacement = by_id.get(r.superseded_by_id) if r.superseded_by_id else None
        if replacement is not None and validity != "valid":
            replaced_by = (replacement.title, url(replacement))
        corrections = errata.get(r.id, [])
        if validity == "valid" and corrections:
            latest = corrections[-1]
            validity, validity_date, replaced_by = "amended", latest.published_on, (latest.title, url(latest))
        readings = {x.id: x for name in _names(r.title) for x in interpretations.get((r.tenant_id, name), [])}
        out.append(PolicyDocument(
            ref=f"gazette:article:{r.id}", plugin="gazette", tenant_id=r.tenant_id, title=r.title, url=url(r),
            doc_no=r.doc_no or "", issuing_body="、".join(r.issuers or []), doc_type=kind,
            written_date=r.written_date or r.published_on, published_at=r.published_at, validity=validity,
            validity_date=validity_date, replaced_by=replaced_by,
            interpretations=tuple((x.title, url(x), "文字解读") for x in sorted(readings.values(), key=lambda x: x.id)),
            same_as=r.source_ref or ""))
    return out
