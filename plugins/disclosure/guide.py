"""The 政府信息公开指南 (条例 第二十二条): generated from the tenant's settings, edited by its admin
section by section, kept in versions. The public sees the newest version and the day it was saved;
before the first save, the generated text (nothing invented: the office's contact details are the
tenant's own, shown as set in its settings)."""
from __future__ import annotations

from sqlalchemy import func, select

from core.plugin_api import audit, china_date, db, DomainError, Permission, require_permission, Tenant, utcnow
from plugins.disclosure.models import GUIDE_SECTIONS, GuideVersion

SECTION_MAX = 10000
CONTACT_LABELS = (("address", "办公地址"), ("office_hours", "办公时间"), ("phone", "联系电话"), ("fax", "传真"),
                  ("email", "电子邮箱"), ("postcode", "邮政编码"))
REGULATION = "《中华人民共和国政府信息公开条例》"


def default_office_name(tenant: Tenant) -> str:
    if tenant.kind == "district":
        return f"{tenant.name}人民政府办公室"
    if tenant.name.endswith("街道"):
        return f"{tenant.name}办事处党政办公室"
    return f"{tenant.name}人民政府党政办公室"


def supervisor_name(tenant: Tenant) -> str:
    """Where complaints go (第五十一条): the 政府信息公开工作主管部门 above the tenant."""
    if tenant.kind == "district":
        return "上一级人民政府办公厅（室）或者政府信息公开工作主管部门"
    return f"{tenant.root.name}人民政府办公室（{tenant.root.name}政府信息公开工作主管部门）"


def default_sections(tenant: Tenant, office_name: str) -> dict[str, str]:
    """The standard text of each section, for `tenant` (第二十条 for a district, 第二十一条 for a town)."""
    article = "第二十条" if tenant.kind == "district" else "第二十条、第二十一条"
    return {
        "proactive": "\n\n".join([
            f"（一）公开范围。本机关依照{REGULATION}第十九条、{article}的规定，主动公开涉及公众利益调整、需要公众广泛知晓"
            "或者需要公众参与决策的政府信息，具体见本专栏“法定主动公开内容”和政务公开事项标准目录。",
            f"（二）公开方式。主动公开的政府信息通过{tenant.name}门户网站政府信息公开专栏公开，并视情况通过政府公报、"
            "新闻发布会、政务新媒体、广播电视、政务服务场所和公开查阅点等途径公开。",
            "（三）公开时限。属于主动公开范围的政府信息，自该政府信息形成或者变更之日起20个工作日内予以公开；"
            f"法律、法规对政府信息公开的期限另有规定的，从其规定（{REGULATION}第二十六条）。",
        ]),
        "application": "\n\n".join([
            f"（一）受理机构。{office_name}负责受理向本机关提出的政府信息公开申请，地址、办公时间和联系方式见本指南“公开机构”。",
            "（二）申请方式。公民、法人或者其他组织可以通过以下方式提出申请：\n"
            "1. 在线申请：在本网站“依申请公开”栏目在线填写并提交申请表；\n"
            "2. 信函申请：填写政府信息公开申请表（或自行书写申请）邮寄至受理机构，请在信封左下角注明“政府信息公开申请”；\n"
            "3. 当面申请：在办公时间到受理机构当面提交申请。",
            "申请内容应当包括：申请人的姓名或者名称、身份证明、联系方式；申请公开的政府信息的名称、文号或者便于本机关查询的"
            f"其他特征性描述；申请公开的政府信息的形式要求，包括获取信息的方式、途径（{REGULATION}第二十九条）。",
            "（三）答复时限。本机关收到申请，能够当场答复的当场答复；不能当场答复的，自收到申请之日起20个工作日内予以答复；"
            "需要延长答复期限的，经政府信息公开工作机构负责人同意并告知申请人，延长的期限最长不超过20个工作日"
            f"（{REGULATION}第三十三条）。征求第三方意见所需时间不计算在前述期限内。申请内容不明确的，本机关自收到申请之日起"
            "7个工作日内一次性告知申请人补正，答复期限自本机关收到补正的申请之日起计算（第三十条）。",
        ]),
        "fees": "\n\n".join([
            "本机关依申请提供政府信息，不收取费用。",
            "申请人申请公开政府信息的数量、频次明显超过合理范围的，本机关可以依照《政府信息公开信息处理费管理办法》"
            "（国办函〔2020〕109号）收取信息处理费：按件计收的，同一申请人一个自然月内累计申请10件以下（含10件）不收费；"
            "按量计收的，同一申请30页以下（含30页）不收费；超过的部分按该办法规定的标准收费。收费前本机关向申请人出具收费通知，"
            "申请人可以在规定期限内缴纳，逾期未缴纳的视为放弃申请。",
        ]),
        "remedy": "\n\n".join([
            f"公民、法人或者其他组织认为本机关在政府信息公开工作中侵犯其合法权益的，可以向{supervisor_name(tenant)}"
            f"投诉、举报（{REGULATION}第五十一条）。",
            "也可以依法申请行政复议或者提起行政诉讼：自知道该行政行为之日起60日内申请行政复议，"
            "或者自知道该行政行为之日起6个月内向人民法院提起行政诉讼。",
        ]),
    }


def current(tenant: Tenant) -> GuideVersion | None:
    return db.session.scalar(select(GuideVersion).where(GuideVersion.tenant_id == tenant.id)
                             .order_by(GuideVersion.version.desc()).limit(1))


def versions(tenant: Tenant) -> list[GuideVersion]:
    return list(db.session.scalars(select(GuideVersion).where(GuideVersion.tenant_id == tenant.id)
                                   .order_by(GuideVersion.version.desc())))


def version(tenant: Tenant, number: int) -> GuideVersion | None:
    return db.session.scalar(select(GuideVersion).where(GuideVersion.tenant_id == tenant.id,
                                                        GuideVersion.version == number))


def contact(tenant: Tenant, fax: str) -> list[tuple[str, str]]:
    """The office's contact lines as set (the tenant's contact, the guide's fax); empty ones left out."""
    values = dict(tenant.contact or {}) | {"fax": fax}
    return [(label, values[key]) for key, label in CONTACT_LABELS if values.get(key)]


def shown(tenant: Tenant, row: GuideVersion | None = None) -> dict:
    """What the guide page shows: a saved version (the current one unless given), or the generated text."""
    row = row if row is not None else current(tenant)
    office = row.office_name if row else default_office_name(tenant)
    texts = (row.sections if row else None) or default_sections(tenant, office)
    return {"office_name": office, "contact": contact(tenant, row.fax if row else ""),
            "sections": [(key, label, texts.get(key, "")) for key, label in GUIDE_SECTIONS],
            "version": row.version if row else 0, "updated_on": china_date(row.saved_at) if row else None}


def save(actor, tenant: Tenant, data: dict) -> GuideVersion | None:
    """A new version from what the admin typed; None when nothing changed."""
    require_permission(actor, Permission.TENANT_MANAGE, tenant)
    office = str(data.get("office_name") or "").strip()
    if not office:
        raise DomainError("请填写政府信息公开工作机构的名称。", field="office_name")
    if len(office) > 200:
        raise DomainError("机构名称不能超过 200 个字。", field="office_name")
    fax = str(data.get("fax") or "").strip()
    if len(fax) > 40:
        raise DomainError("传真号码不能超过 40 个字符。", field="fax")
    sections = {}
    for key, label in GUIDE_SECTIONS:
        text = str(data.get(key) or "").replace("\r\n", "\n").strip()
        if not text:
            raise DomainError(f"“{label}”不能为空。", field=key)
        if len(text) > SECTION_MAX:
            raise DomainError(f"“{label}”不能超过 {SECTION_MAX} 个字。", field=key)
        sections[key] = text
    last = current(tenant)
    if last is not None and (last.office_name, last.fax, last.sections) == (office, fax, sections):
        return None
    number = (db.session.scalar(select(func.max(GuideVersion.version)).where(GuideVersion.tenant_id == tenant.id)) or 0) + 1
    row = GuideVersion(tenant_id=tenant.id, version=number, office_name=office, fax=fax, sections=sections,
                       saved_at=utcnow(), saved_by_id=getattr(actor, "id", None),
                       saved_by_name=getattr(actor, "label", "") or getattr(actor, "username", ""))
    db.session.add(row)
    db.session.flush()
    audit.record("disclosure.guide.save", target=row, actor=actor, summary=f"保存政府信息公开指南第 {number} 版")
    return row


def form_defaults(tenant: Tenant) -> dict:
    """What the edit form starts from: the current version, else the generated text."""
    page = shown(tenant)
    row = current(tenant)
    return {"office_name": page["office_name"], "fax": row.fax if row else "",
            **{key: text for key, _, text in page["sections"]}}
