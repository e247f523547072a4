"""Catalogs in .xlsx: the real fixture, a round trip, messy variants, broken files."""
from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from core.accounts import SYSTEM
from core.db import db
from core.tenants.provisioning import create_tenant
from core.tenants import tenant_by_slug, tenant_scope
from plugins.catalog import excel, services
from plugins.catalog.services import ITEM_FIELDS

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "catalog-education-example.xlsx"


@pytest.fixture
def blank_district(demo, ctx):
    """A district with the catalog plugin off, so nothing was seeded."""
    tenant = create_tenant(SYSTEM, slug="blank", name="空白县", kind="district", parent=None, unit_code="99999999X",
                           plugins=[])
    db.session.commit()
    return tenant


def snapshot(tenant) -> list[tuple]:
    with tenant_scope(tenant):
        items = services.all_items(tenant)
        names = {i.id: i.name for i in items}
        return sorted((i.domain_code, names.get(i.parent_id, ""), i.name, i.not_applicable_reason,
                       *[repr(getattr(i, f)) for f in ITEM_FIELDS]) for i in items)


def test_the_real_world_fixture_imports(blank_district):
    with tenant_scope(blank_district):
        report = excel.import_catalog(SYSTEM, blank_district, FIXTURE.read_bytes())
        db.session.commit()
        assert (report.created, report.updated) == (10, 0)  # 3 first-level + 7 second-level items
        rows = {item.name: [c.name for c in kids] for _, items in services.tree(blank_district) for item, kids in items}
    assert rows == {"政策文件": ["教育法律", "规范性文件", "相关政策解读"],
                    "教育概况": ["教育事业发展主要情况", "教育统计数据", "义务教育学校名录"],
                    "民办学校信息": ["民办学校办学基本信息"]}
    with tenant_scope(blank_district):
        names = {i.name: i for i in services.all_items(blank_district)}
        school = names["义务教育学校名录"]
        assert school.domain_code == "03"
        assert school.channels == ["政府网站", "两微一端", "公开查阅点"]
        assert school.levels == ["县级", "乡级"] and school.methods == ["主动"] and school.audience == "全社会"
        assert school.content_elements == ["学校名称", "学校地址", "办学层次", "办学类型", "办公电话"]
        assert school.rule == {"kind": "after_change", "days": 20}
        stats = names["教育事业发展主要情况"]
        assert [r["title"] for r in stats.legal_basis] == ["中华人民共和国统计法", "中华人民共和国政府信息公开条例",
                                                           "教育统计管理规定"]


def test_round_trip_export_then_import_into_a_fresh_tenant_gives_the_same_catalog(demo, ctx, blank_district):
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        from tests.catalog.fixtures import leaf
        item = leaf(town, "临时救助")
        services.set_applicability(SYSTEM, item, False, "由县民政局统一公开")
        services.update_item(SYSTEM, leaf(town, "高龄津贴发放"), {"audience_note": "80周岁以上老年人（含）"})
        db.session.commit()
        data = excel.export_catalog(town)
    with tenant_scope(blank_district):
        report = excel.import_catalog(SYSTEM, blank_district, data)
        db.session.commit()
    assert report.created == len(snapshot(town))
    assert snapshot(blank_district) == snapshot(town)
    with tenant_scope(blank_district):  # a second import changes nothing
        again = excel.import_catalog(SYSTEM, blank_district, data)
        assert (again.created, again.updated) == (0, 0)


def _fixture_sheet():
    wb = openpyxl.load_workbook(FIXTURE)
    return wb, wb.active


def _bytes(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_messy_real_world_variants_are_accepted(blank_district):
    wb, ws = _fixture_sheet()
    ws["J3"] = "特定群众"
    ws["L3"] = "依申请公开"
    ws["M3"], ws["N3"] = "区级", "镇街乡"
    ws["P2"] = "五公开"
    ws["P4"] = "决策公开"
    ws["C4"] = " 教育\n法律 "
    ws["E4"] = "（《中华人民共和国政府信息公开条例》）"
    ws["H4"] = "■政府网站□政府公报 ■两微一端  ■社区/企事业单位/村公示栏（电子屏）"
    ws["J10"] = "√（家庭经济困难学生）"
    ws["I10"] = None
    with tenant_scope(blank_district):
        excel.import_catalog(SYSTEM, blank_district, _bytes(wb))
        items = {i.name: i for i in services.all_items(blank_district)}
    assert "教育 法律" in items
    assert items["教育 法律"].channels == ["政府网站", "两微一端", "公示栏"]
    assert items["民办学校办学基本信息"].audience == "特定群体"
    assert items["民办学校办学基本信息"].audience_note == "家庭经济困难学生"


def test_a_broken_file_reports_row_and_column_and_imports_nothing(blank_district):
    wb, ws = _fixture_sheet()
    ws["H5"] = "■政府网站 ■飞鸽传书"
    ws["I6"] = None          # no audience ticked
    ws["F8"] = None          # no time limit
    for col in "MNO":
        ws[f"{col}9"] = None  # no level
    with tenant_scope(blank_district):
        with pytest.raises(excel.ImportRefused) as refused:
            excel.import_catalog(SYSTEM, blank_district, _bytes(wb))
        db.session.rollback()
        assert services.all_items(blank_district) == []
    problems = refused.value.problems
    assert "工作表“标准目录”第 5 行 H 列（公开渠道和载体）：无法识别的渠道“飞鸽传书”" in problems[0]
    assert any(p.startswith("工作表“标准目录”第 6 行 I 列（公开对象）") for p in problems)
    assert any(p.startswith("工作表“标准目录”第 8 行 F 列（公开时限）") for p in problems)
    assert any(p.startswith("工作表“标准目录”第 9 行 M 列起（公开层级）") for p in problems)
    assert len(problems) == 4


def test_not_a_spreadsheet_and_unknown_domain(blank_district):
    with tenant_scope(blank_district):
        with pytest.raises(excel.ImportRefused, match="无法读取文件"):
            excel.import_catalog(SYSTEM, blank_district, b"PK\x03\x04 not really")
        wb, ws = _fixture_sheet()
        ws["A1"] = "某某目录"
        ws.title = "Sheet1"
        with pytest.raises(excel.ImportRefused, match="无法从标题判断所属领域"):
            excel.import_catalog(SYSTEM, blank_district, _bytes(wb))
        report = excel.import_catalog(SYSTEM, blank_district, _bytes(wb), domain_code="03")
        assert report.created == 10


def test_cli_import_and_export(demo, runner, tmp_path, blank_district):
    result = runner.invoke(args=["catalog", "import", str(FIXTURE), "blank"])
    assert result.exit_code == 0, result.output
    assert "空白县：新增 10 个事项" in result.output
    out = tmp_path / "out.xlsx"
    assert runner.invoke(args=["catalog", "export", "blank", str(out)]).exit_code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["义务教育"]
    ws = wb.active
    assert ws["A1"].value == "空白县义务教育领域政务公开标准目录"
    assert [ws.cell(2, c).value for c in (1, 2, 4, 8)] == ["序号", "公开事项", "公开内容（要素）", "公开渠道和载体"]
    assert "B4:B6" in {str(r) for r in ws.merged_cells.ranges}
    broken = tmp_path / "broken.xlsx"
    wb2, ws2 = _fixture_sheet()
    ws2["D7"] = None
    wb2.save(broken)
    failed = runner.invoke(args=["catalog", "import", str(broken), "blank"])
    assert failed.exit_code == 1 and "第 7 行 D 列（公开内容）" in failed.output
