"""Catalogs as .xlsx in the layout governments exchange: a title row, two merged header rows,
一级事项 and 序号 merged down over their 二级事项, ■/□ channel checklists, √ marks.

Import reads real files as they are (full- or half-width brackets, 特定群众 for 特定群体, 依申请公开
for 依申请, level columns named after the place, a trailing 五公开 column, stray spaces and line
breaks) and reports anything it cannot place with its sheet, row and column; when any row is
wrong nothing is imported. Each row is then matched to the tenant's items (its standard catalog,
see matching.py): a matched row updates that item instead of adding a second one beside it, the
others become new items; the admin page shows the proposals for the editor to confirm first.
Export writes the same layout, so a file round-trips.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Callable

from openpyxl import load_workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from core.plugin_api import (append_rows, audit, check_xlsx, db, DomainError, LimitExceeded, new_workbook, Permission,
                             require_permission, Tenant, workbook_bytes)
from plugins.catalog import matching, standard
from plugins.catalog.models import CatalogItem
from plugins.catalog.services import domains_for, tree

HEADERS = ["序号", "公开事项", None, "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体",
           "公开对象", None, "公开方式", None, "公开层级", None, None, "备注"]
SUBHEADERS = [None, "一级事项", "二级事项", None, None, None, None, None, "全社会", "特定群体", "主动", "依申请",
              "县级", "乡级", "村级", None]
NOTE_NOT_APPLICABLE = "不适用："


class ImportRefused(DomainError):
    def __init__(self, problems: list[str]):
        head = f"目录文件有 {len(problems)} 处问题，未导入任何内容："
        super().__init__(head + "\n" + "\n".join(f"  - {p}" for p in problems))
        self.problems = problems


@dataclass
class ParsedItem:
    domain_code: str
    name: str
    fields: dict
    not_applicable_reason: str = ""
    children: list["ParsedItem"] = field(default_factory=list)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    matched: list[tuple[str, str]] = field(default_factory=list)   # (imported row, the tenant's item)

    def summary(self) -> str:
        text = f"新增 {self.created} 个事项，更新 {self.updated} 个，未变 {self.unchanged} 个。"
        renamed = sum(1 for mine, theirs in self.matched if mine != theirs)
        return text + (f"其中 {renamed} 个对应到写法不同的已有事项。" if renamed else "")


# --- reading ----------------------------------------------------------------------------------

def _merged_value(ws, cache: dict) -> Callable[[int, int], object]:
    """Cell value, reading a merged range's anchor for every cell it covers."""
    if not cache:
        for rng in ws.merged_cells.ranges:
            anchor = ws.cell(rng.min_row, rng.min_col).value
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    cache[(r, c)] = (anchor, (rng.min_row, rng.min_col))

    def value(row: int, col: int):
        if (row, col) in cache:
            return cache[(row, col)][0]
        return ws.cell(row, col).value
    return value


def _anchor(cache: dict, row: int, col: int) -> tuple[int, int]:
    return cache.get((row, col), (None, (row, col)))[1]


def _level_of(label: str) -> str | None:
    key = standard.normalise_key(label)
    if re.search(r"村|居|社区", key):
        return "村级"
    if re.search(r"乡|镇|街", key):
        return "乡级"
    if re.search(r"县|区|市", key):
        return "县级"
    return None


def _columns(ws, value, header_row: int) -> tuple[dict, list[str]]:
    """Map roles (seq, first, second, content, ...) to columns from the two header rows."""
    roles: dict[str, int | list] = {"levels": []}
    problems = []
    group = None
    for col in range(1, ws.max_column + 1):
        top = standard.normalise_key(value(header_row, col))
        sub = standard.normalise_key(ws.cell(header_row + 1, col).value)
        group = top or group
        label = sub or top
        if not label:
            continue
        if "序号" in label:
            roles["seq"] = col
        elif "一级" in label:
            roles["first"] = col
        elif "二级" in label:
            roles["second"] = col
        elif "公开内容" in label or label == "内容":
            roles["content"] = col
        elif "依据" in label:
            roles["basis"] = col
        elif "时限" in label:
            roles["time_limit"] = col
        elif "主体" in label:
            roles["body"] = col
        elif "渠道" in label or "载体" in label:
            roles["channels"] = col
        elif label == "全社会":
            roles["public"] = col
        elif label.startswith("特定"):
            roles["specific"] = col
        elif label == "主动" or label == "主动公开":
            roles["proactive"] = col
        elif label.startswith("依申请"):
            roles["on_request"] = col
        elif "层级" in group and sub:
            level = _level_of(sub)
            if level:
                roles["levels"].append((col, level))
            else:
                problems.append(f"第 {header_row + 1} 行 {get_column_letter(col)} 列：无法识别的公开层级“{sub}”")
        elif "备注" in label:
            roles["note"] = col
        elif "五公开" in label:
            continue  # some counties add the 五公开 category; it is not an element of the standard
    required = {"first": "一级事项", "content": "公开内容", "basis": "公开依据", "time_limit": "公开时限",
                "body": "公开主体", "channels": "公开渠道和载体", "public": "全社会", "specific": "特定群体",
                "proactive": "主动", "on_request": "依申请"}
    for role, label in required.items():
        if role not in roles:
            problems.append(f"表头缺少“{label}”列")
    if not roles["levels"]:
        problems.append("表头缺少“公开层级”列")
    return roles, problems


def _marked(value) -> tuple[bool, str]:
    """A √ cell: (checked, the note written beside the mark, if any)."""
    text = standard.normalise_text(value)
    if not text:
        return False, ""
    checked = bool(re.search(r"[√✓✔■☑]", text)) or text in {"是", "Y", "y", "1"}
    note = re.sub(r"[√✓✔■☑]", "", text, count=1).strip()
    if note[:1] in "(（" and note[-1:] in ")）":  # √（家庭经济困难学生）: only the outer brackets go
        note = note[1:-1].strip()
    return checked, note


def _is_header_label(cell) -> bool:
    """序号 or 公开事项 as a header, not inside a title such as 社会救助领域政务公开事项目录."""
    key = standard.normalise_key(cell)
    return ("序号" in key and len(key) <= 6) or (key.startswith("公开事项") and len(key) <= 8)


def parse_workbook(data: bytes, *, domain_code: str | None = None, progress=None,
                   domains: dict[str, standard.Domain] | None = None) -> list[ParsedItem]:
    """Every item of every sheet, or ImportRefused listing each problem with its place. A sheet's
    domain is read from its title (standard.domain_by_name, with `domains`: the tenant's, so its
    district's custom domains are recognised too) unless `domain_code` says it."""
    try:
        check_xlsx(data, "目录文件")        # sheets, rows, columns, merged cells: before openpyxl builds any
    except LimitExceeded as exc:
        raise ImportRefused([exc.message]) from None
    except DomainError:
        raise ImportRefused(["无法读取文件：请上传 .xlsx 格式的 Excel 文件"]) from None
    try:
        wb = load_workbook(io.BytesIO(data))
    except Exception:
        raise ImportRefused(["无法读取文件：请上传 .xlsx 格式的 Excel 文件"])
    problems: list[str] = []
    items: list[ParsedItem] = []
    sheets = [ws for ws in wb.worksheets if ws.max_row > 2]
    if not sheets:
        raise ImportRefused(["文件中没有目录表格"])
    for ws in sheets:
        cache: dict = {}
        value = _merged_value(ws, cache)
        header_row = next((r for r in range(1, min(ws.max_row, 8) + 1)
                           if any(_is_header_label(value(r, c)) for c in range(1, ws.max_column + 1))), None)
        where = f"工作表“{ws.title}”"
        if header_row is None:
            problems.append(f"{where}：找不到表头（应有“序号”“公开事项”等列）")
            continue
        code = domain_code
        if code is None:
            title = " ".join(standard.normalise_text(value(r, 1)) for r in range(1, header_row)) + " " + ws.title
            domain = standard.domain_by_name(title, domains)
            if domain is None:
                problems.append(f"{where}：无法从标题判断所属领域，请在标题中写明领域名称（如“义务教育领域”）或导入时指定领域")
                continue
            code = domain.code
        roles, header_problems = _columns(ws, value, header_row)
        problems += [f"{where}：{p}" for p in header_problems]
        if header_problems:
            continue
        current_parent: ParsedItem | None = None
        parent_anchor = None
        rows = range(header_row + 2, ws.max_row + 1)
        for row in (progress(rows) if progress else rows):
            cells = {role: value(row, col) for role, col in roles.items() if role != "levels"}
            if not any(standard.normalise_text(v) for v in cells.values()):
                continue
            here = f"{where}第 {row} 行"
            first = standard.normalise_text(cells.get("first"))
            second = standard.normalise_text(cells.get("second")) if "second" in roles else ""
            if not first:
                problems.append(f"{here} {get_column_letter(roles['first'])} 列（一级事项）：不能为空")
                continue
            fields, row_problems = _row_fields(ws, roles, row, value, here)
            problems += row_problems
            for name, role in ((first, "first"), (second, "second")):
                if len(name) > 200:
                    problems.append(f"{here} {get_column_letter(roles[role])} 列：事项名称超过 200 个字符")
            anchor = _anchor(cache, row, roles["first"])
            if second:
                if current_parent is None or anchor != parent_anchor or current_parent.name != first:
                    current_parent = ParsedItem(code, first, {})
                    parent_anchor = anchor
                    items.append(current_parent)
                current_parent.children.append(ParsedItem(code, second, fields, fields.pop("_na", "")))
            else:
                current_parent, parent_anchor = None, None
                items.append(ParsedItem(code, first, fields, fields.pop("_na", "")))
    if problems:
        raise ImportRefused(problems)
    for parent in items:
        if parent.children:
            parent.fields = _parent_fields(parent.children)
    return items


def _row_fields(ws, roles: dict, row: int, value, here: str) -> tuple[dict, list[str]]:
    problems = []

    def col(role: str) -> str:
        label = {"content": "公开内容", "basis": "公开依据", "time_limit": "公开时限", "body": "公开主体",
                 "channels": "公开渠道和载体", "public": "公开对象", "proactive": "公开方式"}.get(role, role)
        return f"{get_column_letter(roles[role])} 列（{label}）"

    content = standard.parse_elements(value(row, roles["content"]))
    if not content:
        problems.append(f"{here} {col('content')}：不能为空")
    basis = standard.parse_basis(value(row, roles["basis"]))
    time_limit = standard.normalise_text(value(row, roles["time_limit"]))
    if not time_limit:
        problems.append(f"{here} {col('time_limit')}：不能为空")
    elif len(time_limit) > 300:
        problems.append(f"{here} {col('time_limit')}：超过 300 个字符")
    body = standard.normalise_text(value(row, roles["body"]))
    if not body:
        problems.append(f"{here} {col('body')}：不能为空")
    elif len(body) > 200:
        problems.append(f"{here} {col('body')}：超过 200 个字符")
    channels_text = value(row, roles["channels"])
    channels, unknown = standard.parse_channels(channels_text)
    if unknown:
        problems.append(f"{here} {col('channels')}：无法识别的渠道“{'、'.join(unknown)}”，"
                        f"可选：{'、'.join(standard.CHANNELS)}")
    elif not channels:
        problems.append(f"{here} {col('channels')}：没有勾选任何渠道（用■标记已选渠道）")
    public, _ = _marked(value(row, roles["public"]))
    specific, note = _marked(value(row, roles["specific"]))
    if public == specific:
        problems.append(f"{here} {col('public')}：全社会与特定群体须且只须勾选一项")
    methods = [m for m, role in (("主动", "proactive"), ("依申请", "on_request")) if _marked(value(row, roles[role]))[0]]
    if not methods:
        problems.append(f"{here} {col('proactive')}：请勾选主动或依申请")
    levels = [lv for lv in standard.LEVELS if any(lvl == lv and _marked(value(row, c))[0] for c, lvl in roles["levels"])]
    if not levels:
        first_col = get_column_letter(roles["levels"][0][0])
        problems.append(f"{here} {first_col} 列起（公开层级）：请至少勾选一个层级")
    fields = {"content_elements": content, "legal_basis": basis, "time_limit": time_limit, "responsible_body": body,
              "channels": channels, "audience": "特定群体" if specific else "全社会", "audience_note": note,
              "methods": methods, "levels": levels}
    if "note" in roles:
        remark = standard.normalise_text(value(row, roles["note"]))
        if remark.startswith(NOTE_NOT_APPLICABLE):
            fields["_na"] = remark[len(NOTE_NOT_APPLICABLE):].strip() or "未说明"
    return fields, problems


def _parent_fields(children: list[ParsedItem]) -> dict:
    """A 一级事项 row carries no elements of its own; it gathers its children's levels."""
    return {"content_elements": [], "legal_basis": [], "time_limit": "", "responsible_body": "",
            "channels": [], "audience": "全社会", "audience_note": "", "methods": ["主动"],
            "levels": [lv for lv in standard.LEVELS if any(lv in c.fields["levels"] for c in children)]}


# --- importing: matched to the tenant's items, previewed, confirmed --------------------------

MAX_PREVIEW_ROWS = 2000   # rows of one import (the whole shipped standard catalog has 75)


def serialise(parsed: list[ParsedItem]) -> list[dict]:
    """Parsed rows as plain data, to keep server side between the preview and the confirmation."""
    return [{"domain": p.domain_code, "name": p.name, "fields": p.fields, "na": p.not_applicable_reason,
             "children": serialise(p.children)} for p in parsed]


def deserialise(data: list[dict]) -> list[ParsedItem]:
    return [ParsedItem(d["domain"], d["name"], d["fields"], d.get("na", ""), deserialise(d.get("children", [])))
            for d in data]


def _numbered(parsed: list[ParsedItem]) -> list[tuple[matching.Row, ParsedItem]]:
    """Every row of the file in order (a 一级事项 before its 二级事项), numbered from 0."""
    out: list[tuple[matching.Row, ParsedItem]] = []
    for p in parsed:
        parent = matching.Row(len(out), p.domain_code, p.name, group=bool(p.children))
        out.append((parent, p))
        for child in p.children:
            row = matching.Row(len(out), child.domain_code, child.name, parent_name=p.name, parent_n=parent.n)
            parent.children.append(row.n)
            out.append((row, child))
    return out


def _candidates(items: list[CatalogItem]) -> list[matching.Candidate]:
    """The tenant's items in domain and tree order, as matching sees them."""
    by_id = {i.id: i for i in items}
    has_children = {i.parent_id for i in items if i.parent_id}
    ordered = sorted(items, key=lambda i: (i.domain_code, by_id[i.parent_id].position if i.parent_id in by_id else i.position,
                                           i.parent_id or i.id, i.parent_id is not None, i.position, i.id))
    return [matching.Candidate(i.id, i.domain_code, i.name, i.parent_id,
                               by_id[i.parent_id].name if i.parent_id in by_id else "", i.id in has_children)
            for i in ordered]


@dataclass
class ImportPlan:
    """What an import would do: each row of the file, the tenant items it may update, the proposals."""
    rows: list[tuple[matching.Row, ParsedItem]]
    candidates: list[matching.Candidate]
    proposals: dict[int, matching.Proposal]

    def options(self, row: matching.Row) -> list[tuple[matching.Candidate, float]]:
        return matching.ranked_candidates(row, self.candidates, [r for r, _ in self.rows])


def plan_import(tenant: Tenant, parsed: list[ParsedItem]) -> ImportPlan:
    items = db.session.scalars(select(CatalogItem).where(CatalogItem.tenant_id == tenant.id)).all()
    rows = _numbered(parsed)
    candidates = _candidates(list(items))
    return ImportPlan(rows, candidates, matching.propose([r for r, _ in rows], candidates))


def preview_import(actor, tenant: Tenant, data: bytes, *, domain_code: str | None = None,
                   progress=None) -> tuple[list[ParsedItem], ImportPlan]:
    """Read a workbook and propose, for each row, the tenant item it corresponds to; writes nothing."""
    require_permission(actor, Permission.CONTENT_EDIT, tenant)
    domains = domains_for(tenant, active_only=True)
    if domain_code is not None and domain_code not in domains:
        raise DomainError(f"未知领域代码“{domain_code}”。")
    parsed = parse_workbook(data, domain_code=domain_code, progress=progress, domains=domains)
    if sum(1 + len(p.children) for p in parsed) > MAX_PREVIEW_ROWS:
        raise ImportRefused([f"文件中的事项超过 {MAX_PREVIEW_ROWS} 个，请按领域分成几个文件导入"])
    return parsed, plan_import(tenant, parsed)


def _path(row: matching.Row) -> str:
    return f"{row.parent_name}/{row.name}" if row.parent_name else row.name


def apply_import(actor, tenant: Tenant, parsed: list[ParsedItem], choices: dict[int, int | None] | None = None, *,
                 keep_names: bool = True, filename: str = "", plan: ImportPlan | None = None) -> ImportReport:
    """Write an import: a row matched to one of the tenant's items updates that item (its elements,
    legal basis, time limit, ...; its name too unless `keep_names`), any other row becomes a new
    item. `choices` maps row numbers to an item id or None (new); rows left out take the proposal.
    Every choice is checked against the tenant's items again: same domain, same kind, each once.
    `plan` is plan_import(tenant, parsed) when the caller has just made it (in this transaction)."""
    require_permission(actor, Permission.CONTENT_EDIT, tenant)
    plan = plan or plan_import(tenant, parsed)
    allowed = {row.n: {c.id for c, _ in plan.options(row)} for row, _ in plan.rows}
    chosen: dict[int, int | None] = {}
    problems = []
    for row, _ in plan.rows:
        value = (choices or {}).get(row.n, plan.proposals[row.n].item_id)
        if value is not None and value not in allowed[row.n]:
            problems.append(f"第 {row.n + 1} 行“{_path(row)}”：所选事项不存在，或不在同一领域、不是同一类事项")
        elif value is not None and value in chosen.values():
            problems.append(f"第 {row.n + 1} 行“{_path(row)}”：所选事项已对应导入文件中的另一行，一个事项只能对应一行")
        else:
            chosen[row.n] = value
    if problems:
        raise ImportRefused(problems)
    items = {i.id: i for i in db.session.scalars(select(CatalogItem).where(CatalogItem.tenant_id == tenant.id))}
    positions: dict[tuple, int] = {}
    for item in items.values():
        key = (item.domain_code, item.parent_id)
        positions[key] = max(positions.get(key, 0), item.position or 0)
    report = ImportReport()
    targets: dict[int, CatalogItem] = {}
    labels = {c.id: (f"{c.parent_name}/{c.name}" if c.parent_name else c.name) for c in plan.candidates}

    for row, p in plan.rows:
        item = items.get(chosen[row.n]) if chosen[row.n] is not None else None
        if row.group:
            values = {"levels": standard.in_order(set(p.fields["levels"]) | set(item.levels if item else ()), standard.LEVELS)}
            if item is None:
                values = dict(p.fields, levels=values["levels"], rule=standard.parse_time_limit(p.fields["time_limit"]))
        else:
            values = dict(p.fields, rule=standard.parse_time_limit(p.fields["time_limit"]),
                          not_applicable=bool(p.not_applicable_reason), not_applicable_reason=p.not_applicable_reason)
        if item is None:
            parent = targets.get(row.parent_n) if row.parent_n is not None else None
            key = (p.domain_code, parent.id if parent else None)
            positions[key] = positions.get(key, 0) + 1
            item = CatalogItem(tenant_id=tenant.id, domain_code=p.domain_code, name=p.name, parent=parent,
                               position=positions[key], **values)
            db.session.add(item)
            db.session.flush()
            report.created += 1
        else:
            if not keep_names:
                values["name"] = p.name
            report.matched.append((_path(row), labels[item.id]))
            if any(getattr(item, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(item, k, v)
                report.updated += 1
            else:
                report.unchanged += 1
        targets[row.n] = item
    details = "；".join(f"{mine} → {theirs}" for mine, theirs in report.matched)
    source = f"“{filename}”" if filename else ""
    audit.record("catalog.import", target=tenant, tenant=tenant, actor=actor,
                 summary=f"导入目录{source}：{report.summary()}" + (f" 对应关系：{details}" if details else ""))
    return report


def import_catalog(actor, tenant: Tenant, data: bytes, *, domain_code: str | None = None, progress=None,
                   keep_names: bool = True, filename: str = "") -> ImportReport:
    """Read a workbook and write it at once, every row taking its proposal (the command line's way)."""
    parsed, plan = preview_import(actor, tenant, data, domain_code=domain_code, progress=progress)
    return apply_import(actor, tenant, parsed, keep_names=keep_names, filename=filename, plan=plan)


# --- writing ----------------------------------------------------------------------------------

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_WIDTHS = [6, 14, 16, 32, 30, 22, 16, 40, 7, 9, 6, 7, 6, 6, 6, 16]


def _check(flag: bool, note: str = "") -> str:
    return ("√" + (f"（{note}）" if note else "")) if flag else ""


def _item_row(item: CatalogItem) -> list:
    return [standard.format_elements(item.content_elements), standard.format_basis(item.legal_basis), item.time_limit,
            item.responsible_body, standard.format_channels(item.channels),
            _check(item.audience == "全社会"), _check(item.audience == "特定群体", item.audience_note),
            _check("主动" in item.methods), _check("依申请" in item.methods),
            *[_check(lv in item.levels) for lv in standard.LEVELS],
            (NOTE_NOT_APPLICABLE + item.not_applicable_reason) if item.not_applicable else ""]


def export_catalog(tenant: Tenant) -> bytes:
    """The tenant's catalog, one sheet per domain, in the standard layout."""
    wb = new_workbook()
    for domain, rows in tree(tenant):
        ws = wb.create_sheet(domain.name[:31])
        title = f"{tenant.name}{domain.label}政务公开标准目录"
        append_rows(ws, [[title] + [None] * 15])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=16)
        append_rows(ws, [HEADERS, SUBHEADERS])
        for rng in ("B2:C2", "I2:J2", "K2:L2", "M2:O2", "A2:A3", "D2:D3", "E2:E3", "F2:F3", "G2:G3", "H2:H3", "P2:P3"):
            ws.merge_cells(rng)
        number = 0
        for item, children in rows:
            number += 1
            start = ws.max_row + 1
            if children:
                for child in children:
                    append_rows(ws, [[number, item.name, child.name] + _item_row(child)])
                if len(children) > 1:
                    ws.merge_cells(start_row=start, start_column=1, end_row=ws.max_row, end_column=1)
                    ws.merge_cells(start_row=start, start_column=2, end_row=ws.max_row, end_column=2)
            else:
                append_rows(ws, [[number, item.name, None] + _item_row(item)])
        ws["A1"].font = Font(bold=True, size=14)
        ws["A1"].alignment = Alignment(horizontal="center")
        for row in ws.iter_rows(min_row=2, max_row=ws.max_row, max_col=16):
            for cell in row:
                cell.border = _BORDER
                cell.alignment = _WRAP
                if cell.row <= 3:
                    cell.font = Font(bold=True)
        for i, width in enumerate(_WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
    if not wb.worksheets:
        ws = wb.create_sheet("目录")
        append_rows(ws, [[f"{tenant.name}政务公开标准目录（暂无事项）"]])
    return workbook_bytes(wb)
