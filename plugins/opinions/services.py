"""Consultation logic: the period rules, comments and moderation, answers and the feedback report.

Every rule lives here, so the admin forms, the public form, the API and the CLI refuse the same
things: a comment outside the period, 不予采纳 without a reason, feedback with unanswered comments.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser

from sqlalchemy import func, select

from core.plugin_api import (across_tenants, audit, Calendar, china_date, china_today, clean_html, codes, Conflict, db,
                            DomainError, mark_public, mask_contact, mask_name, normalise_email,
                            normalise_phone, Permission, plain_text, require_permission, sync_attachments,
                            Tenant, utcnow)
from plugins.opinions.models import (DISPOSITION_LABELS, KIND_LABELS, KINDS, MIN_PERIOD_DAYS, OFFLINE_SOURCES,
                                     PERIOD_UNITS, REASON_REQUIRED, SOURCE_LABELS, AnswerGroup, Article, Comment,
                                     Consultation, ConsultationAttachment, OpinionSettings)

MAX_COMMENT = 2000
MIN_COMMENT = 5
ARTICLE_RE = re.compile(r"^\s*第[一二三四五六七八九十百零〇\d]+条")


# --- the shortest period, by what is consulted on ---------------------------------------------

@dataclass(frozen=True)
class PeriodRule:
    """The shortest consultation period of one kind: `length` calendar days or working days.
    A shorter period needs a published reason.

    民法典 第二百零一条: 按照年、月、日计算期间的，开始的当日不计入，自下一日开始计算. The start day
    (often the announcement day, begun mid-day) is not counted: a 30-day period starting on day D
    ends no earlier than D+30, a 7-working-day one no earlier than the 7th working day after D."""

    kind: str
    length: int
    unit: str          # "days" or "workdays"
    basis: str         # where the rule comes from, shown to editors

    @property
    def label(self) -> str:
        return f"{self.length} {PERIOD_UNITS[self.unit]}"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def earliest_end(self, start: date, calendar: Calendar | None = None) -> date:
        """The first end date (inclusive) that gives the whole minimum period after `start`."""
        if self.unit == "workdays":
            return (calendar or Calendar()).add_workdays(start, self.length)
        return start + timedelta(days=self.length)

    def counted(self, start: date, end: date, calendar: Calendar | None = None) -> int:
        """The period after `start` up to `end` inclusive, in this rule's unit (the start day not counted)."""
        if self.unit == "workdays":
            return (calendar or Calendar()).workdays_between(start, end)
        return max((end - start).days, 0)

    def count_label(self, start: date, end: date, calendar: Calendar | None = None) -> str:
        return f"{self.counted(start, end, calendar)} {PERIOD_UNITS[self.unit]}"


# The kinds the law sets a minimum for; 其他 takes the tenant's own (OpinionSettings).
LEGAL_RULES = {
    # 规章制定程序条例 第十五条: 向社会公布征求意见的期限一般不少于30日。
    "rules": PeriodRule("rules", 30, "days", "《规章制定程序条例》第十五条"),
    # 重大行政决策程序暂行条例（国务院令第713号）第十五条: 公开征求意见的期限一般不少于30日；
    # 因情况紧急等原因需要缩短期限的，公开征求意见时应当予以说明。
    "major_decision": PeriodRule("major_decision", 30, "days", "《重大行政决策程序暂行条例》第十五条"),
    # 国办发〔2018〕37号 (加强行政规范性文件制定和监督管理): 征求意见的期限一般不少于7个工作日。
    "normative": PeriodRule("normative", 7, "workdays",
                            "《国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知》（国办发〔2018〕37号）"),
}
# 立法法 第九十三条: 规章 are made by the people's governments of 省、自治区、直辖市 and of 设区的市、自治州.
# No tenant kind of this product (district 县/区, town 乡镇/街道, village) is one, so 规章 is offered to
# none; the rule above stays for consultations of that kind already stored, and for a tenant kind
# that could make 规章 should one be added.
RULE_MAKING_TENANT_KINDS: frozenset[str] = frozenset()
RULES_REFUSED = ("本单位没有规章制定权，不能选择“规章”（《中华人民共和国立法法》第九十三条：规章由省、自治区、直辖市"
                 "和设区的市、自治州的人民政府制定）。")
OTHER_BASIS = "本单位设定（意见征集设置）"
OTHER_LIMITS = {"days": (1, 90), "workdays": (1, 60)}


def settings_for(tenant_id: int) -> OpinionSettings:
    """The tenant's settings; the defaults (30 days) until its admin saves others."""
    row = db.session.scalar(select(OpinionSettings).where(OpinionSettings.tenant_id == tenant_id))
    return row or OpinionSettings(tenant_id=tenant_id, other_min_period=MIN_PERIOD_DAYS, other_period_unit="days")


def period_rule(tenant_id: int, kind: str) -> PeriodRule:
    if kind in LEGAL_RULES:
        return LEGAL_RULES[kind]
    row = settings_for(tenant_id)
    return PeriodRule("other", row.other_min_period, row.other_period_unit, OTHER_BASIS)


def kinds_for(tenant: Tenant, current: str | None = None) -> tuple[str, ...]:
    """The kinds a tenant may choose: 规章 only where it could make 规章; a consultation's own kind
    (made before this rule) stays choosable for it."""
    return tuple(k for k in KINDS if k != "rules" or tenant.kind in RULE_MAKING_TENANT_KINDS or k == current)


def period_rules(tenant: Tenant, current: str | None = None) -> list[PeriodRule]:
    return [period_rule(tenant.id, kind) for kind in kinds_for(tenant, current)]


def period_hints(tenant: Tenant, start: date | None, current: str | None = None) -> list[dict]:
    """For the form: each kind's minimum and, from `start`, the earliest end date allowed without a reason."""
    start = start or china_today()
    calendar = Calendar()
    hints = []
    for rule in period_rules(tenant, current):
        earliest = rule.earliest_end(start, calendar)
        hints.append({"kind": rule.kind, "label": rule.kind_label, "minimum": rule.label, "basis": rule.basis,
                      "earliest": earliest,
                      "provisional": rule.unit == "workdays" and (calendar.is_provisional(start)
                                                                  or calendar.is_provisional(earliest))})
    return hints


def period_label(consultation: Consultation, calendar: Calendar | None = None) -> str:
    """The consultation's period in the unit of its kind's rule: “30 日”, “7 个工作日”."""
    return period_rule(consultation.tenant_id, consultation.kind).count_label(consultation.starts_on,
                                                                               consultation.ends_on, calendar)


def save_settings(actor, tenant: Tenant, *, other_min_period, other_period_unit: str) -> bool:
    """The tenant admin sets the shortest period of consultations of kind 其他."""
    require_permission(actor, Permission.TENANT_MANAGE, tenant)
    if other_period_unit not in PERIOD_UNITS:
        raise DomainError("期限单位只能是“日”或“工作日”。", field="other_period_unit")
    low, high = OTHER_LIMITS[other_period_unit]
    try:
        length = int(other_min_period)
    except (TypeError, ValueError):
        raise DomainError("请填写整数。", field="other_min_period") from None
    if not low <= length <= high:
        raise DomainError(f"最短期限应在 {low} 到 {high} {PERIOD_UNITS[other_period_unit]}之间。", field="other_min_period")
    row = db.session.scalar(select(OpinionSettings).where(OpinionSettings.tenant_id == tenant.id))
    if row is None:
        row = OpinionSettings(tenant_id=tenant.id, other_min_period=MIN_PERIOD_DAYS, other_period_unit="days")
        db.session.add(row)
    if (row.other_min_period, row.other_period_unit) == (length, other_period_unit) and row.id is not None:
        return False
    row.other_min_period, row.other_period_unit = length, other_period_unit
    db.session.flush()
    audit.record("opinions.settings", target=tenant, tenant=tenant, actor=actor,
                 summary=f"“其他”类意见征集最短期限设为 {length} {PERIOD_UNITS[other_period_unit]}")
    return True


def _short_period_error(rule: PeriodRule, start: date, end: date) -> str:
    calendar = Calendar()
    subject = rule.kind_label if rule.kind != "other" else "“其他”类事项"
    return (f"{subject}征求意见期限一般不少于 {rule.label}（本次 {rule.count_label(start, end, calendar)}，"
            f"最早可截止于 {rule.earliest_end(start, calendar):%Y-%m-%d}；依据：{rule.basis}）；"
            "缩短期限必须说明理由，理由将向社会公开。")


# --- consultations ----------------------------------------------------------------------------

def _parse_date(value, label: str, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise DomainError(f"请按“2026-01-31”格式填写{label}。", field=field) from None


class _Blocks(HTMLParser):
    """Top-level blocks of sanitized HTML, each kept as its own HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.blocks: list[str] = []
        self.depth = 0
        self.current: list[str] = []

    def _emit(self, text: str) -> None:
        if self.depth == 0 and text.strip():
            self.blocks.append(text)  # loose text between blocks
        elif self.depth:
            self.current.append(text)

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            if self.depth:
                self.current.append(self.get_starttag_text())
            elif tag == "img":  # an image between blocks goes with the block before it
                if self.blocks:
                    self.blocks[-1] += self.get_starttag_text()
                else:
                    self.blocks.append(self.get_starttag_text())
            return  # a <br> or <hr> between blocks only separates them
        self.depth += 1
        self.current.append(self.get_starttag_text())

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID_TAGS or not self.depth:
            return
        self.current.append(f"</{tag}>")
        self.depth -= 1
        if self.depth == 0:
            self.blocks.append("".join(self.current))
            self.current = []

    def handle_data(self, data):
        self._emit(data)

    def handle_entityref(self, name):
        self._emit(f"&{name};")

    def handle_charref(self, name):
        self._emit(f"&#{name};")


VOID_TAGS = frozenset({"br", "hr", "img", "col", "wbr"})


def split_articles(html: str) -> list[tuple[str, str]]:
    """[(label, html)]: by 第X条 when the draft has articles, else by paragraph (第N段).
    Nothing of the draft is lost: the articles together are the whole text."""
    parser = _Blocks()
    parser.feed(html or "")
    parser.close()
    if parser.current:  # an element left open at the end
        parser.blocks.append("".join(parser.current))
    blocks = [b for b in parser.blocks if plain_text(b)]
    if any(ARTICLE_RE.match(plain_text(b)) for b in blocks):
        articles: list[list] = []
        preamble: list[str] = []
        for block in blocks:
            text = plain_text(block)
            if ARTICLE_RE.match(text):
                articles.append([ARTICLE_RE.match(text).group(0).strip(), [block]])
            elif articles:
                articles[-1][1].append(block)
            else:
                preamble.append(block)
        out = [(label, "".join(parts)) for label, parts in articles]
        if preamble:  # a title or chapter heading before the first article goes with it
            out[0] = (out[0][0], "".join(preamble) + out[0][1])
        return out
    return [(f"第{n}段", block) for n, block in enumerate(blocks, start=1)]


def _consultation_values(data: dict, current: Consultation | None, tenant: Tenant) -> dict:
    tenant_id = tenant.id
    values = {}
    if data.get("kind") is not None:
        kind = data["kind"]
        allowed = kinds_for(tenant, current.kind if current else None)
        if kind == "rules" and kind not in allowed:
            raise DomainError(RULES_REFUSED, field="kind")
        if kind not in allowed:
            raise DomainError(f"类别只能是：{'、'.join(KIND_LABELS[k] for k in allowed)}。", field="kind")
        values["kind"] = kind
    for key in ("title", "summary", "responsible_unit", "offline_channels", "short_period_reason", "feedback_intro"):
        if key in data:
            values[key] = (data[key] or "").strip()
    for key in ("draft_html", "explanation_html"):
        if key in data:
            values[key] = clean_html(data[key] or "")
    if "moderation" in data:
        if data["moderation"] not in ("immediate", "review"):
            raise DomainError("审核方式只能是“先审后发”或“即时公开”。", field="moderation")
        values["moderation"] = data["moderation"]
    if "contact_required" in data:
        values["contact_required"] = bool(data["contact_required"])
    if "starts_on" in data:
        values["starts_on"] = _parse_date(data["starts_on"], "开始日期", "starts_on")
    if "ends_on" in data:
        values["ends_on"] = _parse_date(data["ends_on"], "截止日期", "ends_on")
    merged = {k: getattr(current, k) for k in ("title", "starts_on", "ends_on", "short_period_reason",
                                                "draft_html", "kind")} if current else {"kind": "other"}
    merged.update(values)
    if not merged.get("title"):
        raise DomainError("请填写标题。", field="title")
    if len(merged["title"]) > 200:
        raise DomainError("标题不能超过 200 个字符。", field="title")
    if not plain_text(merged.get("draft_html") or ""):
        raise DomainError("请填写征求意见稿正文。", field="draft_html")
    if not merged.get("starts_on") or not merged.get("ends_on"):
        raise DomainError("请填写征集的开始和截止日期。", field="starts_on")
    if merged["ends_on"] < merged["starts_on"]:
        raise DomainError("截止日期不能早于开始日期。", field="ends_on")
    # The period is checked when it is set or its rule changes: a tenant raising its own minimum
    # later does not block editing the title of an earlier consultation.
    period_keys = ("kind", "starts_on", "ends_on", "short_period_reason")
    if current is None or any(k in values and values[k] != getattr(current, k) for k in period_keys):
        rule = period_rule(tenant_id, merged["kind"])
        if merged["ends_on"] < rule.earliest_end(merged["starts_on"]) and not merged.get("short_period_reason"):
            raise DomainError(_short_period_error(rule, merged["starts_on"], merged["ends_on"]),
                              field="short_period_reason")
    for key, limit in (("responsible_unit", 200), ("summary", 2000)):
        if len(merged.get(key) or values.get(key) or "") > limit:
            raise DomainError(f"内容过长（不超过 {limit} 个字符）。", field=key)
    return values


def create_consultation(actor, tenant: Tenant, data: dict) -> Consultation:
    require_permission(actor, Permission.CONTENT_EDIT, tenant)
    data = {"moderation": "review", **data}
    values = _consultation_values(data, None, tenant)
    consultation = Consultation(tenant_id=tenant.id, created_by_id=getattr(actor, "id", None), **values)
    db.session.add(consultation)
    db.session.flush()
    _rebuild_articles(consultation)
    if "attachment_ids" in data:
        set_attachments(consultation, data["attachment_ids"])
    audit.record("opinions.consultation.create", target=consultation, actor=actor, summary=f"新建意见征集“{consultation.title}”")
    return consultation


def _rebuild_articles(consultation: Consultation) -> None:
    consultation.articles = [Article(tenant_id=consultation.tenant_id, number=n, label=label, html=html)
                             for n, (label, html) in enumerate(split_articles(consultation.draft_html), start=1)]
    db.session.flush()


# What an announced consultation keeps (the admin form hides these fields then).
FIXED_WHEN_ANNOUNCED = ("draft_html", "kind", "starts_on", "ends_on", "short_period_reason")


def update_consultation(actor, consultation: Consultation, data: dict) -> list[str]:
    """Before it is announced everything may change; afterwards the draft, the kind and the dates are
    fixed (comments point at its articles; the kind decided the minimum period the public was given;
    the period changes only by a recorded extension)."""
    require_permission(actor, Permission.CONTENT_EDIT, consultation.tenant)
    if consultation.status() == "answered":
        raise Conflict("反馈已发布，意见征集不能再修改。")
    if consultation.announced_at is not None:
        fixed = set(FIXED_WHEN_ANNOUNCED) & set(data)
        def same(key) -> bool:
            new, old = data[key], getattr(consultation, key)
            if key == "draft_html":
                return clean_html((new or "").replace("\r\n", "\n")) == old
            if key == "short_period_reason":
                return (new or "").replace("\r\n", "\n").strip() == (old or "").strip()
            if key == "kind" and new is None:
                return True
            return str(new) == str(old)
        fixed = {k for k in fixed if not same(k)}
        if fixed:
            raise Conflict("意见征集已经发布，正文、事项类别和起止日期不能再改；延长期限请使用“延期”。")
    values = _consultation_values(data, consultation, consultation.tenant)
    changed = [k for k, v in values.items() if getattr(consultation, k) != v]
    for key in changed:
        setattr(consultation, key, values[key])
    if "draft_html" in changed:
        _rebuild_articles(consultation)
    if "attachment_ids" in data and set_attachments(consultation, data["attachment_ids"]):
        changed.append("attachments")
    if changed:
        audit.record("opinions.consultation.update", target=consultation, actor=actor,
                     summary=f"修改意见征集“{consultation.title}”：{'、'.join(changed)}")
    return changed


def set_attachments(consultation: Consultation, attachment_ids) -> bool:
    change = sync_attachments(consultation, attachment_ids, ConsultationAttachment)
    if change.changed and consultation.announced_at is not None:
        for a in change.found.values():
            mark_public(a)
    return change.changed


def announce(actor, consultation: Consultation) -> None:
    """Publish the consultation notice: from now on the public sees it (open on its start date)."""
    require_permission(actor, Permission.CONTENT_EDIT, consultation.tenant)
    if consultation.announced_at is not None:
        raise Conflict("该意见征集已经发布。")
    today = china_today()
    if consultation.ends_on < today:
        raise DomainError("截止日期已过，请先修改起止日期。", field="ends_on")
    # A consultation cannot have started before it was announced: the period counts from the day after
    # today (民法典 第二百零一条).
    starts = max(consultation.starts_on, today)
    rule = period_rule(consultation.tenant_id, consultation.kind)
    calendar = Calendar()
    earliest = rule.earliest_end(starts, calendar)
    if consultation.ends_on < earliest and not consultation.short_period_reason:
        raise DomainError(f"征集期限从 {starts:%Y-%m-%d} 的次日起算，到截止日期只有 "
                          f"{rule.count_label(starts, consultation.ends_on, calendar)}，"
                          f"少于{consultation.kind_label}类意见征集的最短期限 {rule.label}（{rule.basis}），"
                          f"最早可截止于 {earliest:%Y-%m-%d}；请延后截止日期，或填写缩短期限的理由（向社会公开）。",
                          field="ends_on")
    consultation.starts_on = starts
    consultation.announced_at = utcnow()
    for attachment in consultation.attachments:
        mark_public(attachment)
    audit.record("opinions.consultation.announce", target=consultation, actor=actor,
                 summary=f"发布意见征集“{consultation.title}”（{consultation.starts_on}至{consultation.ends_on}）")


def extend(actor, consultation: Consultation, new_end, reason: str) -> None:
    require_permission(actor, Permission.CONTENT_EDIT, consultation.tenant)
    new_end = _parse_date(new_end, "新的截止日期", "ends_on")
    if consultation.status() not in ("scheduled", "open"):
        raise Conflict("只有未开始或正在征集的意见征集可以延期。")
    if new_end <= consultation.ends_on:
        raise DomainError("新的截止日期必须晚于原截止日期。", field="ends_on")
    if not (reason or "").strip():
        raise DomainError("延期必须说明理由，理由将向社会公开。", field="reason")
    consultation.extensions = list(consultation.extensions or []) + [{
        "from": consultation.ends_on.isoformat(), "to": new_end.isoformat(), "reason": reason.strip(),
        "at": utcnow().isoformat(timespec="seconds")}]
    consultation.ends_on = new_end
    audit.record("opinions.consultation.extend", target=consultation, actor=actor,
                 summary=f"“{consultation.title}”延期至 {new_end}：{reason.strip()}")


def visible_consultations():
    """What the public may see: announced consultations."""
    return select(Consultation).where(Consultation.announced_at.is_not(None))


def by_status(status: str, today: date | None = None):
    today = today or china_today()
    stmt = visible_consultations()
    if status == "open":
        stmt = stmt.where(Consultation.feedback_published_at.is_(None), Consultation.starts_on <= today,
                          Consultation.ends_on >= today).order_by(Consultation.ends_on)
    elif status == "closed":
        stmt = stmt.where(Consultation.feedback_published_at.is_(None), Consultation.ends_on < today) \
            .order_by(Consultation.ends_on.desc())
    elif status == "answered":
        stmt = stmt.where(Consultation.feedback_published_at.is_not(None)).order_by(Consultation.feedback_published_at.desc())
    elif status == "scheduled":
        stmt = stmt.where(Consultation.starts_on > today).order_by(Consultation.starts_on)
    else:
        stmt = stmt.order_by(Consultation.starts_on.desc())
    return stmt.order_by(Consultation.id.desc())


# --- comments ---------------------------------------------------------------------------------

CODE_GROUPS = (4, 4, 4)


def new_tracking_code() -> str:
    return codes.new_code(CODE_GROUPS)


def normalise_code(code: str) -> str:
    return codes.normalise_code(code, CODE_GROUPS)


def _comment_values(consultation: Consultation, data: dict, *, contact_required: bool) -> dict:
    content = (data.get("content") or "").replace("\r\n", "\n").strip()
    if len(content) < MIN_COMMENT:
        raise DomainError(f"意见内容至少 {MIN_COMMENT} 个字。", field="content")
    if len(content) > MAX_COMMENT:
        raise DomainError(f"意见内容不能超过 {MAX_COMMENT} 个字（现有 {len(content)} 个）。", field="content")
    name = re.sub(r"\s+", " ", data.get("author_name") or "").strip()
    if len(name) > 50:
        raise DomainError("姓名不能超过 50 个字符。", field="author_name")
    typed = (data.get("contact") or "").strip()
    contact = (normalise_email(typed) if "@" in typed else normalise_phone(typed)) if typed else ""
    if typed and not contact:
        raise DomainError("请填写正确的手机号码、固定电话或电子邮箱。", field="contact")
    if contact_required and not contact:
        raise DomainError("本次征集需要留下联系电话或电子邮箱，以便核实和回复。", field="contact")
    article_id = data.get("article_id") or None
    if article_id is not None:
        try:
            article_id = int(article_id)
        except (TypeError, ValueError):
            raise DomainError("请选择正确的条款。", field="article_id") from None
        if not valid_id(article_id) or article_id not in {a.id for a in consultation.articles}:
            raise DomainError("请选择正确的条款。", field="article_id")
    return {"content": content, "author_name": name, "contact": contact, "article_id": article_id}


def submit_comment(consultation: Consultation, data: dict) -> Comment:
    """A member of the public comments: only while the consultation is open, with consent."""
    status = consultation.status()
    if status in ("draft",):
        raise DomainError("该意见征集不存在。")
    if status == "scheduled":
        raise DomainError(f"本次意见征集将于 {consultation.starts_on:%Y年%m月%d日} 开始，届时再提交意见。")
    if status in ("closed", "answered"):
        raise DomainError(f"本次意见征集已于 {consultation.ends_on:%Y年%m月%d日} 结束，不再接受意见。")
    if not data.get("consent"):
        raise DomainError("请阅读个人信息保护说明并勾选同意后提交。", field="consent")
    values = _comment_values(consultation, data, contact_required=consultation.contact_required)
    comment = Comment(tenant_id=consultation.tenant_id, consultation=consultation, source="online",
                      tracking_code=new_tracking_code(),
                      status="published" if consultation.moderation == "immediate" else "pending", **values)
    db.session.add(comment)
    db.session.flush()
    audit.record("opinions.comment.submit", target=comment, actor_name="public",
                 summary=f"“{consultation.title}”收到网上意见 #{comment.id}")
    return comment


def add_offline_comment(actor, consultation: Consultation, data: dict) -> Comment:
    """An editor enters an opinion received by letter, phone, 座谈会, 听证会 or visit."""
    require_permission(actor, Permission.CONTENT_EDIT, consultation.tenant)
    if consultation.announced_at is None:
        raise Conflict("意见征集尚未发布。")
    if consultation.feedback_published_at is not None:
        raise Conflict("反馈已发布，不能再录入意见。")
    source = data.get("source")
    if source not in OFFLINE_SOURCES:
        raise DomainError(f"请选择意见来源：{'、'.join(SOURCE_LABELS[s] for s in OFFLINE_SOURCES)}。", field="source")
    received = _parse_date(data.get("received_on") or china_today(), "收到日期", "received_on")
    opened = min(consultation.starts_on, china_date(consultation.announced_at))
    if not opened <= received <= china_today():
        raise DomainError(f"收到日期应在 {opened:%Y-%m-%d} 到今天之间。", field="received_on")
    values = _comment_values(consultation, data, contact_required=False)
    comment = Comment(tenant_id=consultation.tenant_id, consultation=consultation, source=source, status="published",
                      tracking_code=new_tracking_code(), entered_by_id=getattr(actor, "id", None), received_on=received,
                      **values)
    db.session.add(comment)
    db.session.flush()
    audit.record("opinions.comment.offline", target=comment, actor=actor,
                 summary=f"录入{SOURCE_LABELS[source]}意见 #{comment.id}")
    return comment


def valid_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def _drop_answer(comment: Comment) -> None:
    """A comment that is no longer published is no longer answered, alone or in a group."""
    comment.group_id, comment.disposition, comment.reason = None, None, ""


def moderate(actor, comment: Comment, action: str, *, reason: str = "", duplicate_of: int | None = None) -> None:
    require_permission(actor, Permission.CONTENT_EDIT, comment.consultation.tenant)
    if comment.consultation.feedback_published_at is not None:
        raise Conflict("反馈已发布，不能再处理意见。")
    if action == "publish":
        comment.status, comment.moderation_note, comment.duplicate_of_id = "published", "", None
    elif action == "hide":
        if not (reason or "").strip():
            raise DomainError("不公开意见时请说明理由（例如含有个人隐私、广告或与主题无关）。", field="reason")
        comment.status, comment.moderation_note, comment.duplicate_of_id = "hidden", reason.strip(), None
        _drop_answer(comment)
    elif action == "duplicate":
        original = db.session.scalar(select(Comment).where(Comment.id == duplicate_of)) if valid_id(duplicate_of) else None
        if original is None or original.consultation_id != comment.consultation_id or original.id == comment.id \
                or original.status != "published":
            raise DomainError("请选择同一征集中已公开的另一条意见作为原意见。", field="duplicate_of")
        comment.status, comment.duplicate_of_id, comment.moderation_note = "duplicate", original.id, reason.strip()
        _drop_answer(comment)
        for copy in db.session.scalars(select(Comment).where(Comment.duplicate_of_id == comment.id)):
            copy.duplicate_of_id = original.id  # duplicates of a duplicate follow the original
    else:
        raise DomainError("未知的处理方式。")
    audit.record("opinions.comment.moderate", target=comment, actor=actor,
                 summary=f"意见 #{comment.id}：{ {'publish': '公开', 'hide': '不公开', 'duplicate': '标记重复'}[action] }"
                         + (f"（{reason.strip()}）" if reason.strip() else ""))


# --- answers ----------------------------------------------------------------------------------

def _check_disposition(disposition: str | None, reason: str) -> tuple[str, str]:
    if disposition not in DISPOSITION_LABELS:
        raise DomainError(f"请选择处理结果：{'、'.join(DISPOSITION_LABELS.values())}。", field="disposition")
    reason = (reason or "").strip()
    if disposition in REASON_REQUIRED and not reason:
        raise DomainError(f"“{DISPOSITION_LABELS[disposition]}”必须说明理由。", field="reason")
    if len(reason) > 5000:
        raise DomainError("理由不能超过 5000 个字符。", field="reason")
    return disposition, reason


def _answerable(actor, consultation: Consultation) -> None:
    require_permission(actor, Permission.CONTENT_EDIT, consultation.tenant)
    if consultation.feedback_published_at is not None:
        raise Conflict("反馈已发布，处理结果不能再修改。")


def set_disposition(actor, comment: Comment, disposition: str, reason: str = "") -> None:
    """Answer one comment (drafted until the feedback report is published)."""
    _answerable(actor, comment.consultation)
    if comment.status != "published":
        raise DomainError("只有已公开的意见需要答复；重复意见随原意见答复。")
    if comment.group_id is not None:
        raise DomainError("这条意见已归入一组，请修改该组的答复。")
    comment.disposition, comment.reason = _check_disposition(disposition, reason)
    audit.record("opinions.comment.answer", target=comment, actor=actor,
                 summary=f"意见 #{comment.id}：{DISPOSITION_LABELS[comment.disposition]}")


def save_group(actor, consultation: Consultation, *, title: str, comment_ids, disposition: str, reason: str = "",
               group: AnswerGroup | None = None) -> AnswerGroup:
    """Answer similar comments together."""
    _answerable(actor, consultation)
    title = (title or "").strip()
    if not title:
        raise DomainError("请用一句话概括这一组意见。", field="title")
    disposition, reason = _check_disposition(disposition, reason)
    ids = {int(i) for i in comment_ids or []}
    if not all(valid_id(i) for i in ids):
        raise DomainError("意见编号无效。", field="comment_ids")
    comments = list(db.session.scalars(select(Comment).where(Comment.id.in_(ids), Comment.consultation_id == consultation.id,
                                                             Comment.status == "published"))) if ids else []
    if len(comments) != len(ids) or len(comments) < (1 if group else 2):
        raise DomainError("请至少选择两条本次征集中已公开的意见归为一组。", field="comment_ids")
    if group is None:
        group = AnswerGroup(tenant_id=consultation.tenant_id, consultation_id=consultation.id, title=title)
        db.session.add(group)
    group.title, group.disposition, group.reason = title, disposition, reason
    db.session.flush()
    for comment in group.comments:
        if comment.id not in ids:
            comment.group_id = None
    for comment in comments:
        comment.group_id = group.id
        comment.disposition, comment.reason = None, ""
    db.session.flush()
    db.session.expire(group, ["comments"])  # membership changed through the comments' side
    audit.record("opinions.group.save", target=group, actor=actor,
                 summary=f"合并答复 {len(comments)} 条意见：{DISPOSITION_LABELS[disposition]}")
    return group


def delete_group(actor, group: AnswerGroup) -> None:
    consultation = db.session.get(Consultation, group.consultation_id)
    _answerable(actor, consultation)
    for comment in group.comments:
        comment.group_id = None
    audit.record("opinions.group.delete", target=group, actor=actor, summary=f"取消合并答复“{group.title}”")
    db.session.delete(group)


def unanswered(consultation: Consultation) -> list[Comment]:
    return [c for c in published_comments(consultation) if c.effective_disposition is None]


def publish_feedback(actor, consultation: Consultation, intro: str | None = None) -> None:
    """Publish every answer at once with the report; refused while a published comment lacks one."""
    _answerable(actor, consultation)
    if consultation.status() != "closed":
        raise Conflict("意见征集结束后才能发布采纳情况。")
    pending = db.session.scalar(select(func.count()).select_from(Comment).where(
        Comment.consultation_id == consultation.id, Comment.status == "pending")) or 0
    if pending:
        raise DomainError(f"还有 {pending} 条意见尚未审核；请先审核（公开、不公开或标记重复）再发布反馈。")
    missing = unanswered(consultation)
    if missing:
        raise DomainError(f"还有 {len(missing)} 条已公开的意见没有处理结果（编号 "
                          f"{'、'.join(str(c.id) for c in missing[:10])}{'……' if len(missing) > 10 else ''}），不能发布反馈。")
    if intro is not None:
        consultation.feedback_intro = intro.strip()
    now = utcnow()
    consultation.feedback_published_at = now
    for comment in published_comments(consultation):
        comment.answered_at = now
    audit.record("opinions.feedback.publish", target=consultation, actor=actor,
                 summary=f"发布“{consultation.title}”意见采纳情况")


def select_published(consultation: Consultation):
    return select(Comment).where(Comment.consultation_id == consultation.id, Comment.status == "published") \
        .order_by(Comment.id)


def published_comments(consultation: Consultation) -> list[Comment]:
    return list(db.session.scalars(select_published(consultation)))


def received_count(consultation: Consultation) -> int:
    return db.session.scalar(select(func.count()).select_from(Comment).where(
        Comment.consultation_id == consultation.id)) or 0


def feedback_report(consultation: Consultation) -> dict:
    """意见征集及采纳情况: counts by source and disposition, the adoption rate, grouped answers."""
    comments = published_comments(consultation)
    all_comments = list(db.session.scalars(select(Comment).where(Comment.consultation_id == consultation.id)))
    by_source = Counter(c.source for c in all_comments)
    by_disposition = Counter(c.effective_disposition for c in comments if c.effective_disposition)
    considered = sum(by_disposition[d] for d in ("adopted", "partly", "rejected"))
    adopted = by_disposition["adopted"] + by_disposition["partly"]
    groups = list(db.session.scalars(select(AnswerGroup).where(AnswerGroup.consultation_id == consultation.id)
                                     .order_by(AnswerGroup.id)))
    return {
        "received": len(all_comments),
        "published": len(comments),
        "duplicates": sum(1 for c in all_comments if c.status == "duplicate"),
        "hidden": sum(1 for c in all_comments if c.status == "hidden"),
        "by_source": [(SOURCE_LABELS[s], by_source[s]) for s in SOURCE_LABELS if by_source[s]],
        "by_disposition": [(DISPOSITION_LABELS[d], by_disposition[d]) for d in DISPOSITION_LABELS],
        "adoption_rate": adopted / considered if considered else None,
        "groups": [g for g in groups if g.comments],
        "singles": [c for c in comments if c.group_id is None],
    }


def report_rows(consultation: Consultation) -> list[list]:  # noqa: D401
    """The report as a table (CSV): one row per answer, with masked names only."""
    report = feedback_report(consultation)
    rows = [["答复编号", "意见概要", "涉及条款", "来源", "提出人", "处理结果", "理由"]]
    for n, group in enumerate(report["groups"], start=1):
        rows.append([f"G{n}", group.title, "、".join(sorted({c.article.label for c in group.comments if c.article})),
                     "、".join(sorted({c.source_label for c in group.comments})),
                     "、".join(mask_name(c.author_name) for c in group.comments), group.disposition_label, group.reason])
    for c in report["singles"]:
        rows.append([str(c.id), c.content, c.article.label if c.article else "", c.source_label, mask_name(c.author_name),
                     c.disposition_label, c.effective_reason])
    return rows


def export_rows(consultation: Consultation, *, unmasked: bool) -> list[list]:
    """Every comment for the editors; names and contacts masked unless the exporter may see them."""
    rows = [["编号", "查询码", "提交/收到日期", "来源", "条款", "姓名", "联系方式", "意见内容", "状态", "不公开理由",
             "重复于", "合并答复", "处理结果", "理由"]]
    for c in db.session.scalars(select(Comment).where(Comment.consultation_id == consultation.id).order_by(Comment.id)):
        rows.append([c.id, c.tracking_code, (c.received_on or c.created_at.date()).isoformat(), c.source_label,
                     c.article.label if c.article else "",
                     c.author_name if unmasked else mask_name(c.author_name),
                     c.contact if unmasked else mask_contact(c.contact), c.content, c.status_label, c.moderation_note,
                     c.duplicate_of_id or "", c.group.title if c.group else "", c.disposition_label, c.effective_reason])
    return rows


def comment_by_code(code: str) -> Comment | None:
    code = normalise_code(code)
    if not code:
        return None
    return db.session.scalar(select(Comment).where(Comment.tracking_code == code))


def purge_personal_data(before: date) -> int:
    """Erase names and contacts of comments on consultations that ended before `before`."""
    with across_tenants(None, reason="privacy purge of consultation comments"):
        ended = select(Consultation.id).where(Consultation.ends_on < before)
        erased = 0
        for comment in db.session.scalars(select(Comment).where(
                Comment.consultation_id.in_(ended), (Comment.author_name != "") | (Comment.contact != ""))):
            comment.author_name, comment.contact = "", ""
            erased += 1
        for consultation in db.session.scalars(select(Consultation).where(Consultation.id.in_(ended))):
            consultation.personal_data_purged_at = utcnow()
        db.session.flush()
    return erased


def default_period(start: date | None = None, *, tenant_id: int | None = None,
                   kind: str = "other") -> tuple[date, date]:
    """From `start` (today) to the earliest end the kind's minimum allows."""
    start = start or china_today()
    if tenant_id is None:
        return start, start + timedelta(days=MIN_PERIOD_DAYS)
    return start, period_rule(tenant_id, kind).earliest_end(start)
