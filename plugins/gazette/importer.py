"""Bulk import of historical issues from a folder: one metadata file (YAML or JSON) per issue, the
articles' full texts inline or in text / HTML files beside it.

    2019-03/issue.yaml
        year: 2019
        number: 3
        total_number: 27            # 总期
        published_on: 2019-03-15
        editor_note: ""             # optional
        sections: [规范性文件, 人事任免]   # optional; print order, else the articles' order
        articles:
          - section: 规范性文件
            title: 青岚县人民政府关于印发《……办法》的通知
            doc_no: 青政发〔2019〕5号
            issuers: [青岚县人民政府]
            written_date: 2019-02-20
            effective_date: 2019-04-01       # optional
            body_file: 01.txt                # .txt (paragraphs) or .html; or `body:` inline text
            validity: repealed               # optional: valid / expired / repealed
            validity_date: 2023-06-30
            validity_note: 被《……》废止

Each file is imported whole or not at all (its own transaction), and published as it was printed
(its PDF is made on first download). Running the import again skips the issues already there, so
an interrupted import can simply be run again. An issue that exists with different content is
reported, never changed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

import yaml
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.plugin_api import (CHINA_TZ, db, DomainError, read_text_file, SYSTEM, Tenant, tenant_scope)
from plugins.gazette import services
from plugins.gazette.models import VALIDITY_LABELS, GazetteIssue

METADATA_SUFFIXES = (".yaml", ".yml", ".json")
MAX_TEXT_BYTES = 5_000_000


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)   # (file, reason)
    articles: int = 0

    def summary(self) -> str:
        return (f"导入 {len(self.imported)} 期（{self.articles} 篇），已存在跳过 {len(self.skipped)} 期，"
                f"失败 {len(self.failed)} 个文件。")


def metadata_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in METADATA_SUFFIXES)


def _load(path: Path) -> dict:
    text = read_text_file(path, "公报信息文件")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError, ValueError) as exc:  # ValueError: a date like 2019-02-30
        raise DomainError(f"无法解析：{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    if not isinstance(data, dict):
        raise DomainError("内容应是一期公报的信息（键值对）。")
    unknown = set(data) - {"year", "number", "total_number", "published_on", "editor_note", "sections", "articles"}
    if unknown:
        raise DomainError(f"不认识的字段：{'、'.join(sorted(map(str, unknown)))}。")
    if not isinstance(data.get("articles"), list) or not data["articles"]:
        raise DomainError("缺少 articles（本期文章列表）。")
    if "sections" in data and not (isinstance(data["sections"], list)
                                   and all(isinstance(x, str) for x in data["sections"])):
        raise DomainError("sections 应是栏目名称的列表。")
    return data


ARTICLE_KEYS = {"section", "title", "doc_no", "issuers", "written_date", "effective_date", "body", "body_file",
                "validity", "validity_date", "validity_note"}


def _article_data(path: Path, index: int, raw) -> dict:
    where = f"第 {index} 篇文章"
    if not isinstance(raw, dict):
        raise DomainError(f"{where}的格式不对。")
    unknown = set(raw) - ARTICLE_KEYS
    if unknown:
        raise DomainError(f"{where}有不认识的字段：{'、'.join(sorted(map(str, unknown)))}。")
    for key in ("section", "title", "doc_no", "body", "body_file", "validity_note"):
        if raw.get(key) is not None and not isinstance(raw[key], (str, int)):
            raise DomainError(f"{where}的 {key} 应是文字。")
    issuers = raw.get("issuers")
    if issuers is not None and not isinstance(issuers, str) and not (
            isinstance(issuers, list) and all(isinstance(x, str) for x in issuers)):
        raise DomainError(f"{where}的 issuers 应是发文机关名称或其列表。")
    data = {k: raw.get(k) for k in ("section", "title", "doc_no", "issuers", "written_date", "effective_date")
            if k in raw}
    data["doc_no"] = str(data.get("doc_no") or "")
    if raw.get("body_file"):
        text_path = (path.parent / str(raw["body_file"])).resolve()
        if path.parent.resolve() not in text_path.parents:
            raise DomainError(f"{where}的 body_file 必须在元数据文件所在的文件夹内。")
        if not text_path.is_file():
            raise DomainError(f"{where}的正文文件 {raw['body_file']} 不存在。")
        if text_path.stat().st_size > MAX_TEXT_BYTES:
            raise DomainError(f"{where}的正文文件太大（超过 5 MB）。")
        try:
            text = text_path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise DomainError(f"{where}的正文文件 {raw['body_file']} 不是 UTF-8 编码。") from None
        data["body" if text_path.suffix.lower() in (".html", ".htm") else "body_text"] = text
    elif raw.get("body"):
        data["body_text"] = str(raw["body"])
    for key in ("section", "title"):
        if not str(data.get(key) or "").strip():
            raise DomainError(f"{where}缺少 {key}。")
    validity = raw.get("validity") or "valid"
    if validity not in VALIDITY_LABELS:
        raise DomainError(f"{where}的 validity 只能是 valid、expired 或 repealed。")
    data["_validity"] = (validity, raw.get("validity_date"), str(raw.get("validity_note") or ""))
    return data


def _same(existing: GazetteIssue, data: dict) -> bool:
    """The issue in the database is the one this file describes (same 总期 if the file gives one,
    same article titles in order, compared as the services store them)."""
    try:
        titles = [services._text(a.get("title"), "标题", "title", 300) for a in data["articles"]]
        total = int(data["total_number"]) if data.get("total_number") not in (None, "") else None
    except (AttributeError, TypeError, ValueError, DomainError):
        return False
    return existing.is_published and total in (None, existing.total_number) and \
        [a.title for a in sorted(existing.articles, key=lambda a: a.id)] == titles


def import_file(tenant: Tenant, path: Path) -> tuple[str, GazetteIssue | None]:
    """Import one issue (within the caller's transaction); ("imported" | "skipped", issue)."""
    data = _load(path)
    try:
        year, number = int(data.get("year")), int(data.get("number"))
    except (TypeError, ValueError):
        raise DomainError("year 和 number 必须是整数。") from None
    existing = db.session.scalar(select(GazetteIssue).where(GazetteIssue.year == year, GazetteIssue.number == number))
    if existing is not None:
        if _same(existing, data):
            return "skipped", existing
        raise DomainError(f"{year}年第{number}期已经存在，且内容与此文件不同；已出版的公报不会被覆盖。")
    articles = [_article_data(path, i, raw) for i, raw in enumerate(data["articles"], start=1)]
    sections = data.get("sections") or list(dict.fromkeys(str(a["section"]).strip() for a in articles))
    issue = services.create_issue(SYSTEM, tenant, {
        "year": year, "number": number, "total_number": data.get("total_number"),
        "published_on": data.get("published_on"), "editor_note": data.get("editor_note") or "",
        "sections": sections})
    validities = []
    for index, article in enumerate(articles, start=1):
        validity = article.pop("_validity")
        try:
            validities.append((services.add_article(SYSTEM, issue, article), validity))
        except DomainError as exc:
            raise DomainError(f"第 {index} 篇文章：{exc.message}") from None
    published_on = issue.published_on
    services.publish_issue(SYSTEM, issue, make_pdf=False,
                           when=datetime(published_on.year, published_on.month, published_on.day, 9,
                                         tzinfo=CHINA_TZ).astimezone(timezone.utc))
    for article, (validity, on, note) in validities:
        if validity != "valid":
            services.set_validity(SYSTEM, article, validity, on=on, note=note)
    return "imported", issue


def import_folder(tenant: Tenant, folder: Path, *, progress: Callable[[list[Path]], Iterable[Path]] = iter,
                  ) -> ImportReport:
    """Import every metadata file under `folder`, each in its own transaction (committed one by one)."""
    report = ImportReport()
    files = metadata_files(folder)
    for path in progress(files):
        name = str(path.relative_to(folder))
        with tenant_scope(tenant):
            try:
                outcome, issue = import_file(tenant, path)
            except DomainError as exc:
                db.session.rollback()
                report.failed.append((name, exc.message))
                continue
            except IntegrityError:  # another import of the same issue got there first
                db.session.rollback()
                report.failed.append((name, "与已有的期次冲突（年份、期号或总期号重复）。"))
                continue
            except Exception as exc:  # noqa: BLE001 - one bad file must not stop the others
                db.session.rollback()
                report.failed.append((name, f"无法导入：{type(exc).__name__}: {exc}"))
                continue
            articles = len(issue.articles)
            db.session.commit()
        if outcome == "skipped":
            report.skipped.append(name)
        else:
            report.imported.append(name)
            report.articles += articles
    return report
