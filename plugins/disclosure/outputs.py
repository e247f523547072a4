"""A report as a PDF (core's ReportDocument: Chinese text extractable, tables whose header row is
repeated on every page they cross) and as an .xlsx of its tables (every cell through export_cell)."""
from __future__ import annotations

from core.plugin_api import append_rows, new_workbook, ReportDocument
from plugins.disclosure import tables
from plugins.disclosure.models import AnnualReport


def _paragraphs(doc: ReportDocument, text: str) -> None:
    for block in (text or "").split("\n"):
        if block.strip():
            doc.paragraph("　　" + block.strip(), size=11, height=6.5)


def _heading(doc: ReportDocument, text: str) -> None:
    doc.paragraph(text, size=13, bold=True, height=9)


def report_pdf(report: AnnualReport) -> bytes:
    doc = ReportDocument(report.title, author=report.tenant.name)
    if report.version > 1:
        doc.paragraph(f"（第 {report.version} 版，更正说明：{report.correction_note}）", size=10)
    doc.paragraph("本报告根据《中华人民共和国政府信息公开条例》和《国务院办公厅政府信息与政务公开办公室关于印发"
                  "〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）要求编制。"
                  f"报告统计期限为{report.year}年1月1日至{report.year}年12月31日。", size=10.5)
    _heading(doc, "一、总体情况")
    _paragraphs(doc, report.overview)
    _heading(doc, "二、主动公开政府信息情况")
    for headers, rows in tables.section_two_blocks(report.proactive or {}, report.fees_yuan):
        doc.table(headers, rows, widths=[3] + [2] * (len(headers) - 1))
    _heading(doc, "三、收到和处理政府信息公开申请情况")
    headers, rows = tables.section_three_table(report.applications)
    doc.table(headers, rows, widths=[30] + [9] * 7, size=8)
    doc.paragraph("核对：" + tables.check_text(report.applications), size=9)
    _heading(doc, "四、政府信息公开行政复议、行政诉讼情况")
    headers, rows = tables.section_four_table(tables.appeals_total(report))
    doc.table(headers, rows, widths=[30, 10, 10, 10, 10, 10])
    _heading(doc, "五、存在的主要问题及改进情况")
    _paragraphs(doc, report.problems)
    _heading(doc, "六、其他需要报告的事项")
    _paragraphs(doc, report.other_matters)
    if report.published_on:
        doc.paragraph(f"{report.tenant.name}　{report.published_on.year}年{report.published_on.month}月{report.published_on.day}日",
                      size=11)
    return doc.output()


def report_workbook(report: AnnualReport):
    wb = new_workbook()
    sheet = wb.create_sheet("二、主动公开政府信息情况")
    append_rows(sheet, [[f"{report.title}（第 {report.version} 版）"], []])
    for headers, rows in tables.section_two_blocks(report.proactive or {}, report.fees_yuan):
        append_rows(sheet, [headers, *rows, []])
    sheet = wb.create_sheet("三、收到和处理政府信息公开申请情况")
    headers, rows = tables.section_three_table(report.applications)
    append_rows(sheet, [headers, *rows, [], ["核对：" + tables.check_text(report.applications)]])
    sheet = wb.create_sheet("四、行政复议、行政诉讼情况")
    headers, rows = tables.section_four_table(tables.appeals_total(report))
    append_rows(sheet, [headers, *rows])
    return wb


def totals_workbook(district, year: int, totals: dict, lines: list[dict]):
    """The district's page as .xlsx: each unit's state, then the county's sums."""
    wb = new_workbook()
    sheet = wb.create_sheet("各单位发布情况")
    append_rows(sheet, [[f"{district.name}{year}年政府信息公开工作年度报告发布情况"], [],
                        ["单位", "法定期限", "状态", "发布日期", "是否逾期"]])
    append_rows(sheet, [[l["tenant"].name, l["due"].isoformat(),
                         l["published"].status_label if l["published"] else (l["latest"].status_label if l["latest"] else "未生成"),
                         l["published_on"].isoformat() if l["published_on"] else "",
                         "逾期未发布" if l["late"] else ("逾期发布" if l["published_late"] else "")] for l in lines])
    sheet = wb.create_sheet("全县合计")
    append_rows(sheet, [[f"{district.name}及所属乡镇（街道）已发布年度报告合计（{totals['count']} 份）"], []])
    for headers, rows in tables.section_two_blocks(totals["proactive"], totals["fees_yuan"]):
        append_rows(sheet, [headers, *rows, []])
    headers, rows = tables.section_three_table(totals["applications"])
    append_rows(sheet, [headers, *rows, []])
    headers, rows = tables.section_four_table(tables.appeals_total(appeals=totals["appeals"], extra={}))
    append_rows(sheet, [headers, *rows])
    return wb
