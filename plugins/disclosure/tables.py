"""The report's three tables as the 30号 format prints them (国办公开办函〔2021〕30号), from a
report's stored figures: for the HTML page, the PDF and the .xlsx alike."""
from __future__ import annotations

from plugins.disclosure.models import (AnnualReport, APPEAL_GROUPS, APPEAL_RESULTS, DECISION_ROWS, DOC_COLUMNS,
                                       DOC_ROWS)

COLUMNS = (("citizen", "自然人"), ("commercial", "商业企业"), ("research", "科研机构"), ("social", "社会公益组织"),
           ("legal", "法律服务机构"), ("other_org", "其他"), ("total", "总计"))
# Section 三's rows (key, label, level), the keys those of the application_statistics hook.
_REASONS = {
    "withhold": (("state_secret", "属于国家秘密"), ("law_forbids", "其他法律行政法规禁止公开"),
                 ("three_safeties", "危及“三安全一稳定”"), ("third_party_rights", "保护第三方合法权益"),
                 ("internal_affairs", "属于三类内部事务信息"), ("process_info", "属于四类过程性信息"),
                 ("enforcement_file", "属于行政执法案卷"), ("query_matter", "属于行政查询事项")),
    "unable": (("not_held", "本机关不掌握相关政府信息"), ("needs_making", "没有现成信息需要另行制作"),
               ("still_unclear", "补正后申请内容仍不明确")),
    "not_handled": (("petition", "信访举报投诉类申请"), ("repeated", "重复申请"), ("publication", "要求提供公开出版物"),
                    ("mass_repeated", "无正当理由大量反复申请"), ("confirm_again", "要求行政机关确认或重新出具已获取信息")),
    "other": (("no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
              ("unpaid", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"), ("other", "其他")),
}
_GROUPS = (("disclose", "（一）予以公开"), ("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
           ("withhold", "（三）不予公开"), ("unable", "（四）无法提供"), ("not_handled", "（五）不予处理"),
           ("other", "（六）其他处理"))


def _rows() -> list[tuple[str, str, int]]:
    rows = [("new", "一、本年新收政府信息公开申请数量", 0), ("carried_in", "二、上年结转政府信息公开申请数量", 0),
            ("results", "三、本年度办理结果", 0)]
    for key, label in _GROUPS:
        rows.append((key, label, 1))
        rows += [(f"{key}.{r}", f"{i}. {text}", 2) for i, (r, text) in enumerate(_REASONS.get(key, ()), 1)]
    return rows + [("results_total", "（七）总计", 1), ("carried_out", "四、结转下年度继续办理", 0)]


def EMPTY_SECTION_THREE() -> dict:
    """Section 三 with every row at zero: where no plugin computes it."""
    return {"available": False, "columns": [list(c) for c in COLUMNS],
            "rows": [[key, label, level, {} if key == "results" else {c: 0 for c, _ in COLUMNS}]
                     for key, label, level in _rows()],
            "anomalies": []}


def _counts(snapshot: dict, key: str) -> dict:
    for row_key, _, _, counts in (snapshot or {}).get("rows", []):
        if row_key == key:
            return counts or {}
    return {}


def section_three_total(snapshot: dict, key: str, column: str = "total") -> int:
    return int(_counts(snapshot, key).get(column, 0))


def check_for(snapshot: dict, column: str) -> tuple[int, int]:
    t = lambda key: section_three_total(snapshot, key, column)  # noqa: E731
    return t("new") + t("carried_in"), t("results_total") + t("carried_out")


def is_balanced(snapshot: dict) -> bool:
    """一 + 二 = 三（七）+ 四 in every column."""
    columns = [c for c, _ in (snapshot or {}).get("columns", COLUMNS)] or [c for c, _ in COLUMNS]
    return all(left == right for left, right in (check_for(snapshot, c) for c in columns))


def check_text(snapshot: dict) -> str:
    t = lambda key: section_three_total(snapshot, key)  # noqa: E731
    left, right = check_for(snapshot, "total")
    ok = is_balanced(snapshot)
    return (f"一 + 二 = {t('new')} + {t('carried_in')} = {left}；三（七）+ 四 = {t('results_total')} + {t('carried_out')} = "
            f"{right}；{left} {'=' if ok else '≠'} {right}" + ("，核对一致。" if ok else "，核对不一致。"))


def appeals_total(report: AnnualReport | None = None, *, appeals: dict | None = None, extra: dict | None = None) -> dict:
    """Section 四: the applications' appeals plus the office's other cases, with each group's 总计."""
    appeals = appeals if appeals is not None else (report.appeals or {})
    extra = extra if extra is not None else (report.appeals_extra or {})
    out = {}
    for group, _ in APPEAL_GROUPS:
        cells = {r: int((appeals.get(group) or {}).get(r, 0)) + int((extra.get(group) or {}).get(r, 0))
                 for r, _ in APPEAL_RESULTS}
        cells["total"] = sum(cells.values())
        out[group] = cells
    return out


def wan(yuan: int) -> str:
    from plugins.disclosure.services import wan as to_wan
    return to_wan(yuan)


# --- as rows of cells (PDF, .xlsx) -------------------------------------------------------------

def section_two_blocks(proactive: dict, fees_yuan: int) -> list[tuple[list[str], list[list]]]:
    """Section 二 as four small tables: (headers, rows), as the format prints them."""
    docs = [[label, *[int((proactive.get(row) or {}).get(c, 0)) for c, _ in DOC_COLUMNS]] for row, label in DOC_ROWS]
    licensing = [[label, int(proactive.get(key, 0) or 0)] for key, item, label in DECISION_ROWS if item.endswith("（五）项")]
    penalties = [[label, int(proactive.get(key, 0) or 0)] for key, item, label in DECISION_ROWS if item.endswith("（六）项")]
    return [
        (["第二十条第（一）项：信息内容", *[c for _, c in DOC_COLUMNS]], docs),
        (["第二十条第（五）项：信息内容", "本年处理决定数量"], licensing),
        (["第二十条第（六）项：信息内容", "本年处理决定数量"], penalties),
        (["第二十条第（八）项：信息内容", "本年收费金额（单位：万元）"], [["行政事业性收费", wan(fees_yuan)]]),
    ]


def section_three_table(snapshot: dict) -> tuple[list[str], list[list]]:
    headers = ["本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和", "自然人",
               *[f"法人或其他组织：{label}" for _, label in COLUMNS[1:-1]], "总计"]
    rows = []
    for key, label, level, counts in (snapshot or {}).get("rows", []):
        rows.append(["　" * level + label, *[counts.get(c, "") if counts else "" for c, _ in COLUMNS]])
    return headers, rows


def section_four_table(appeals: dict) -> tuple[list[str], list[list]]:
    """Section 四 with one row per kind of case (the printed format puts them side by side)."""
    results = APPEAL_RESULTS + (("total", "总计"),)
    headers = ["类别", *[label for _, label in results]]
    return headers, [[g_label, *[appeals[g][r] for r, _ in results]] for g, g_label in APPEAL_GROUPS]
