"""Catalogs in .xlsx: the real fixture, a round trip, messy variants, broken files; an import matched
to the tenant's standard items, previewed and confirmed (issue 18 point 6)."""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest
import time_machine
from sqlalchemy import select

from core.accounts import SYSTEM
from core.audit import AuditEntry
from core.db import db
from core.tenants.provisioning import create_tenant
from core.tenants import tenant_by_slug, tenant_scope
from plugins.catalog import excel, matching, services, standard
from plugins.catalog.models import CatalogItem
from plugins.catalog.services import ITEM_FIELDS
from tests.conftest import Auth, csrf_from

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


# --- issue 18 point 6: an imported catalog is matched to the standard items -------------------

_HEAD = ["序号", "公开事项", None, "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体",
         "公开对象", None, "公开方式", None, "公开层级", None, None]
_SUB = [None, "一级事项", "二级事项", None, None, None, None, None, "全社会", "特定群体", "主动", "依申请",
        "县级", "乡级", "村级"]
_CHANNELS = "■政府网站 □政府公报 ■两微一端 □发布会/听证会 □广播电视 □纸质媒体 ■公开查阅点 □政务服务中心 ■便民服务站 □入户/现场 ■社区/企事业单位/村公示栏（电子屏） □精准推送 □其他"


def _real_layout_sheet(ws, title: str, groups: list[tuple[str, list[tuple]]]) -> None:
    """A sheet as towns publish it: a merged title, two merged header rows, 序号 and 一级事项 merged
    down over their 二级事项, ■/□ channels, √ marks, ● bullets and 《》 titles run together."""
    ws.append([title] + [None] * 14)
    ws.merge_cells("A1:O1")
    ws.append(_HEAD)
    ws.append(_SUB)
    for rng in ("B2:C2", "I2:J2", "K2:L2", "M2:O2", "A2:A3", "D2:D3", "E2:E3", "F2:F3", "G2:G3", "H2:H3"):
        ws.merge_cells(rng)
    for number, (first, rows) in enumerate(groups, start=1):
        start = ws.max_row + 1
        for second, content, basis, limit, body in rows:
            ws.append([str(number), first, second, content, basis, limit, body, _CHANNELS,
                       "√", None, "√", None, None, "√", None])
        if len(rows) > 1:
            ws.merge_cells(start_row=start, start_column=1, end_row=ws.max_row, end_column=1)
            ws.merge_cells(start_row=start, start_column=2, end_row=ws.max_row, end_column=2)


def town_workbook() -> bytes:
    """白水镇's own catalog, worded its own way: 招生管理/招生政策 is the standard's 招生入学/招生政策和划片范围."""
    wb = openpyxl.Workbook()
    _real_layout_sheet(wb.active, "白水镇义务教育领域基层政务公开标准目录", [
        ("招生管理", [("招生政策", "●招生入学政策 ●学区划分 ●招生计划 ●报名咨询电话",
                      "《中华人民共和国义务教育法》《中华人民共和国政府信息公开条例》",
                      "招生方案形成之日起10个工作日内", "白水镇中心学校"),
                     ("学校名录", "●学校名称 ●学校地址 ●联系电话", "《中华人民共和国政府信息公开条例》",
                      "信息形成或者变更之日起20个工作日内", "白水镇中心学校")]),
        ("学生资助政策", [(None, "●资助政策 ●申请条件 ●办理流程", "《学生资助资金管理办法》",
                          "信息形成或者变更之日起20个工作日内", "白水镇中心学校")]),
        ("课后服务", [("课后服务安排", "●服务时间 ●服务内容 ●收费标准", "《中华人民共和国政府信息公开条例》",
                      "每学期开学前公开", "白水镇中心学校")]),
    ])
    wb.active.title = "义务教育"
    _real_layout_sheet(wb.create_sheet("社会救助"), "白水镇社会救助领域政务公开事项目录", [
        ("低保管理", [("低保政策及办事指南", "●政策文件 ●办事指南 ●咨询电话", "《社会救助暂行办法》",
                      "信息形成或者变更之日起20个工作日内", "白水镇民政办"),
                     ("低保对象名单公示", "●姓名 ●保障人数 ●保障金额", "《社会救助暂行办法》",
                      "按月公开，每次公开时间不少于7个工作日", "白水镇民政办")]),
        ("特困供养", [(None, "●供养标准 ●办理流程", "《社会救助暂行办法》", "信息形成或者变更之日起20个工作日内",
                       "白水镇民政办")]),
    ])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _proposed(tenant, data: bytes) -> dict[str, str]:
    """Imported path → the path of the tenant item proposed for it, or 新增."""
    with tenant_scope(tenant):
        _, plan = excel.preview_import(SYSTEM, tenant, data)
    by_id = {c.id: c for c in plan.candidates}
    out = {}
    for row, _ in plan.rows:
        item = by_id.get(plan.proposals[row.n].item_id)
        out[f"{row.parent_name}/{row.name}" if row.parent_name else row.name] = (
            (f"{item.parent_name}/{item.name}" if item.parent_name else item.name) if item else "新增")
    return out


def _paths(tenant, domain: str) -> list[str]:
    with tenant_scope(tenant):
        items = [i for i in services.all_items(tenant) if i.domain_code == domain]
    names = {i.id: i.name for i in items}
    return sorted(f"{names[i.parent_id]}/{i.name}" if i.parent_id else i.name for i in items)


def test_names_are_compared_after_normalising_with_a_stated_threshold():
    assert matching.MATCH_THRESHOLD == 0.6
    assert matching.normalise_name("低保政策和办事指南") == matching.normalise_name("低保政策及 办事指南（）") == "低保政策办事指南"
    assert matching.similarity("招生政策", "招生政策和划片范围") == 0.8          # contained
    assert matching.similarity("特困供养", "特困人员救助供养") >= 0.6
    assert matching.similarity("招生管理", "招生入学") < 0.6                       # alone, not enough
    assert matching.similarity("低保对象名单", "临时救助对象名单") < 0.6
    row = matching.Row(1, "03", "招生政策", parent_name="招生管理", parent_n=0)
    near = matching.Candidate(5, "03", "招生政策和划片范围", 4, "招生入学")
    far = matching.Candidate(6, "03", "义务教育学校名录", 4, "招生入学")
    other_domain = matching.Candidate(7, "05", "招生政策", 8, "招生管理")
    proposals = matching.propose([matching.Row(0, "03", "招生管理", group=True, children=[1]), row],
                                 [matching.Candidate(4, "03", "招生入学", group=True), near, far, other_domain])
    assert proposals[1].item_id == 5 and proposals[1].reason == "名称相近（73%）"
    assert proposals[0].item_id == 4 and proposals[0].reason == "所含事项对应"


def test_the_real_fixture_is_matched_to_the_county_standard_catalog(demo, ctx):
    county = tenant_by_slug("qinglan")
    assert _proposed(county, FIXTURE.read_bytes()) == {
        "政策文件": "政策文件", "政策文件/教育法律": "政策文件/教育法律", "政策文件/规范性文件": "政策文件/规范性文件",
        "政策文件/相关政策解读": "新增", "教育概况": "新增", "教育概况/教育事业发展主要情况": "新增",
        "教育概况/教育统计数据": "新增", "教育概况/义务教育学校名录": "招生入学/义务教育学校名录",
        "民办学校信息": "新增", "民办学校信息/民办学校办学基本信息": "新增"}
    before = _paths(county, "03")
    with tenant_scope(county):
        report = excel.import_catalog(SYSTEM, county, FIXTURE.read_bytes())
        db.session.commit()
    assert (report.created, report.updated + report.unchanged) == (6, 4)
    after = _paths(county, "03")
    assert after.count("招生入学/义务教育学校名录") == 1 and "教育概况/义务教育学校名录" not in after
    assert len(after) == len(before) + 6
    with tenant_scope(county):                         # importing it again changes nothing
        again = excel.import_catalog(SYSTEM, county, FIXTURE.read_bytes())
    assert (again.created, again.updated) == (0, 0) and _paths(county, "03") == after


def test_another_real_layout_catalog_matches_its_standard_items_and_updates_them(demo, ctx):
    town = tenant_by_slug("baishui")
    data = town_workbook()
    assert _proposed(town, data) == {
        "招生管理": "招生入学", "招生管理/招生政策": "招生入学/招生政策和划片范围",
        "招生管理/学校名录": "招生入学/义务教育学校名录", "学生资助政策": "学生资助",
        "课后服务": "新增", "课后服务/课后服务安排": "新增",
        "低保管理": "最低生活保障", "低保管理/低保政策及办事指南": "最低生活保障/低保政策和办事指南",
        "低保管理/低保对象名单公示": "最低生活保障/低保对象名单", "特困供养": "特困人员救助供养"}
    before = {d: _paths(town, d) for d in ("03", "05")}
    with tenant_scope(town):
        policy_id = next(i.id for i in services.all_items(town) if i.name == "招生政策和划片范围")
        report = excel.import_catalog(SYSTEM, town, data, filename="白水镇目录.xlsx")
        db.session.commit()
    assert report.created == 2 and report.updated + report.unchanged == 8
    assert _paths(town, "05") == before["05"]                      # nothing duplicated
    assert _paths(town, "03") == sorted(before["03"] + ["课后服务", "课后服务/课后服务安排"])
    with tenant_scope(town):
        policy = db.session.get(CatalogItem, policy_id)
        assert policy.name == "招生政策和划片范围"                    # the standard's name is kept
        assert policy.content_elements == ["招生入学政策", "学区划分", "招生计划", "报名咨询电话"]
        assert [b["title"] for b in policy.legal_basis] == ["中华人民共和国义务教育法", "中华人民共和国政府信息公开条例"]
        assert policy.time_limit == "招生方案形成之日起10个工作日内"
        assert policy.rule == {"kind": "after_change", "days": 10} and policy.responsible_body == "白水镇中心学校"
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "catalog.import",
                                                            AuditEntry.tenant_id == town.id)).one()
    assert "“白水镇目录.xlsx”" in entry.summary and "新增 2 个事项" in entry.summary
    assert "招生管理/招生政策 → 招生入学/招生政策和划片范围" in entry.summary
    with tenant_scope(town):                         # the file's names, when the editor asks for them
        again = excel.import_catalog(SYSTEM, town, data, keep_names=False)
        assert db.session.get(CatalogItem, policy_id).name == "招生政策"
    assert again.created == 0 and "招生管理/招生政策" in _paths(town, "03")     # the group too
    assert len(_paths(town, "03") + _paths(town, "05")) == sum(map(len, before.values())) + 2


def _upload(client, slug: str, data: bytes, name: str = "白水镇目录.xlsx"):
    page = client.get(f"/admin/{slug}/catalog/import")
    return client.post(f"/admin/{slug}/catalog/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "file": (io.BytesIO(data), name)})


def _form(html: str) -> dict:
    """What the preview form would send as shown: the token, CSRF and each row's selected option."""
    data = {"csrf_token": csrf_from(html), "token": re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1),
            "names": "standard"}
    for n, body in re.findall(r'<select id="match-(\d+)" name="match-\d+">(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]+)" selected>', body) or re.search(r'<option value="([^"]+)"', body)
        data[f"match-{n}"] = chosen.group(1)              # a browser shows the first option when none is selected
    return data


def _option(html: str, n: int, label: str) -> str:
    body = re.search(rf'<select id="match-{n}" name="match-{n}">(.*?)</select>', html, re.S).group(1)
    return re.search(rf'<option value="([^"]+)"(?: selected)?>{re.escape(label)}</option>', body).group(1)


def test_an_editor_reviews_the_matches_changes_one_and_confirms(demo, client, auth):
    town = tenant_by_slug_in(demo, "baishui")
    before = {d: _paths_in(demo, town, d) for d in ("03", "05")}
    auth.login("li")
    preview = _upload(client, "baishui", town_workbook())
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "建议对应的标准事项" in html
    assert '<span class="muted">招生管理 /</span> 招生政策' in html
    form = _form(html)
    assert form["match-1"] == _option(html, 1, "招生入学 / 招生政策和划片范围")   # proposed, selected
    assert form["match-3"] == _option(html, 3, "学生资助") and form["match-4"] == "new"
    assert _paths_in(demo, town, "03") == before["03"]                       # nothing written yet
    form["match-3"] = "new"                                                  # the editor keeps 学生资助政策 apart
    done = client.post("/admin/baishui/catalog/import", data=form)
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/baishui/catalog/items")
    assert "导入完成：新增 3 个事项" in client.get(done.headers["Location"]).get_data(as_text=True)
    after = _paths_in(demo, town, "03")
    assert after == sorted(before["03"] + ["课后服务", "课后服务/课后服务安排", "学生资助政策"])
    assert "招生管理" not in after and "招生管理/招生政策" not in after
    assert _paths_in(demo, town, "05") == before["05"]
    with demo.app_context(), tenant_scope(town):
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "catalog.import")).one()
        assert entry.actor_name == "li" and "招生管理/招生政策 → 招生入学/招生政策和划片范围" in entry.summary
    again = client.post("/admin/baishui/catalog/import", data=form, follow_redirects=True)   # confirmed once only
    assert "导入预览已失效" in again.get_data(as_text=True)
    assert _paths_in(demo, town, "03") == after


def test_a_tampered_choice_is_refused_and_the_preview_shown_again(demo, client, auth, monkeypatch):
    town = tenant_by_slug_in(demo, "baishui")
    with demo.app_context(), tenant_scope(tenant_by_slug("dongpo")):
        foreign = services.all_items(tenant_by_slug("dongpo"))[0].id
    before = _paths_in(demo, town, "03")
    auth.login("li")
    html = _upload(client, "baishui", town_workbook()).get_data(as_text=True)
    form = _form(html)
    form["match-2"] = form["match-1"]              # one standard item for two rows
    form["match-4"] = str(foreign)                 # another tenant's item
    form["match-5"] = "1 OR 1=1"
    plans = []                                     # the matching runs once per confirmation, refused or not
    monkeypatch.setattr(excel, "plan_import", lambda *a, real=excel.plan_import: plans.append(1) or real(*a))
    response = client.post("/admin/baishui/catalog/import", data=form)
    assert len(plans) == 1
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "未导入任何内容" in page
    assert "第 3 行“招生管理/学校名录”：所选事项已对应导入文件中的另一行" in page
    assert "第 5 行“课后服务”：所选事项不存在" in page and "第 6 行“课后服务/课后服务安排”：所选事项不存在" in page
    assert _paths_in(demo, town, "03") == before
    fixed = _form(page)                            # the preview keeps the editor's choices; correct them
    assert fixed["match-1"] == fixed["match-2"] == form["match-1"] and f'value="{foreign}"' not in page
    fixed.update({"match-2": _option(page, 2, "招生入学 / 义务教育学校名录"), "match-4": "new", "match-5": "new"})
    assert client.post("/admin/baishui/catalog/import", data=fixed).status_code == 302
    assert len(plans) == 2
    assert len(_paths_in(demo, town, "03")) == len(before) + 2


def test_a_choice_that_is_not_an_ascii_number_is_refused_not_a_server_error(demo, client, auth):
    """"²".isdigit() and "٣".isdigit() are true but int() refuses "²": only 0-9 make an item id."""
    town = tenant_by_slug_in(demo, "baishui")
    before = _paths_in(demo, town, "03")
    auth.login("li")
    form = _form(_upload(client, "baishui", town_workbook()).get_data(as_text=True))
    form.update({"match-4": "²", "match-5": "٣"})
    response = client.post("/admin/baishui/catalog/import", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "未导入任何内容" in page
    assert "第 5 行“课后服务”：所选事项不存在" in page and "第 6 行“课后服务/课后服务安排”：所选事项不存在" in page
    assert _paths_in(demo, town, "03") == before


def test_a_preview_lasts_30_minutes(demo, client, auth):
    """The file's rows do not stay in the session of an editor who walked away: refused on
    confirmation after 30 minutes, dropped on the next visit of the import page."""
    town = tenant_by_slug_in(demo, "baishui")
    before = _paths_in(demo, town, "03")
    start = datetime.now(timezone.utc) + timedelta(minutes=1)

    def working_elsewhere(traveller, *minutes):     # requests keep the login alive (15 minutes idle)
        for m in minutes:
            traveller.move_to(start + timedelta(minutes=m))
            assert client.get("/admin/baishui/catalog/items").status_code == 200

    with time_machine.travel(start, tick=False) as traveller:
        auth.login("li")
        form = _form(_upload(client, "baishui", town_workbook()).get_data(as_text=True))
        working_elsewhere(traveller, 10, 20, 31)
        late = client.post("/admin/baishui/catalog/import", data=form, follow_redirects=True)
        assert "导入预览已超过 30 分钟未确认，已失效" in late.get_data(as_text=True)
        again = client.post("/admin/baishui/catalog/import", data=form, follow_redirects=True)
        assert "导入预览已失效（已经确认过" in again.get_data(as_text=True)      # it was dropped
        assert _paths_in(demo, town, "03") == before

        form = _form(_upload(client, "baishui", town_workbook()).get_data(as_text=True))   # at minute 31
        working_elsewhere(traveller, 41, 51, 62)
        assert client.get("/admin/baishui/catalog/import").status_code == 200    # drops the stale preview
        dropped = client.post("/admin/baishui/catalog/import", data=form, follow_redirects=True)
        assert "导入预览已失效（已经确认过" in dropped.get_data(as_text=True)
        assert _paths_in(demo, town, "03") == before

        form = _form(_upload(client, "baishui", town_workbook()).get_data(as_text=True))   # at minute 62
        working_elsewhere(traveller, 72, 82, 91)                                  # 29 minutes later
        assert client.post("/admin/baishui/catalog/import", data=form).status_code == 302
    assert len(_paths_in(demo, town, "03")) == len(before) + 2


def test_another_tenants_editor_cannot_confirm_someone_elses_preview(demo, app, client, auth):
    before = {slug: _all_in(demo, slug) for slug in ("baishui", "dongpo")}
    auth.login("li")
    html = _upload(client, "baishui", town_workbook()).get_data(as_text=True)
    form = _form(html)
    intruder = app.test_client()
    Auth(intruder).login("chen")                       # 东坡村's editor, with li's form in hand
    page = intruder.get("/admin/dongpo/catalog/import").get_data(as_text=True)
    stolen = {**form, "csrf_token": csrf_from(page)}
    assert intruder.post("/admin/baishui/catalog/import", data=stolen).status_code == 404
    refused = intruder.post("/admin/dongpo/catalog/import", data=stolen, follow_redirects=True)
    assert "导入预览已失效" in refused.get_data(as_text=True)
    assert {slug: _all_in(demo, slug) for slug in ("baishui", "dongpo")} == before
    with demo.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "catalog.import")) == 0
    assert client.post("/admin/baishui/catalog/import", data=form).status_code == 302   # li's own still works
    assert len(_all_in(demo, "baishui")) == len(before["baishui"]) + 2


def tenant_by_slug_in(app, slug: str):
    with app.app_context():
        return tenant_by_slug(slug)


def _paths_in(app, tenant, domain: str) -> list[str]:
    with app.app_context():
        return _paths(tenant_by_slug(tenant.slug), domain)


def _all_in(app, slug: str) -> list[str]:
    with app.app_context():
        tenant = tenant_by_slug(slug)
        return sorted(p for d in standard.domains() for p in _paths(tenant, d))


def test_a_preview_is_confirmed_only_in_the_tenant_it_was_made_for(demo, client, auth):
    """The system administrator may import anywhere: a county preview does not import into 白水镇."""
    before = _all_in(demo, "baishui")
    auth.login("admin")
    html = _upload(client, "qinglan", FIXTURE.read_bytes(), "义务教育.xlsx").get_data(as_text=True)
    assert "建议对应的标准事项" in html
    form = _form(html)
    town_page = client.get("/admin/baishui/catalog/import")
    assert town_page.status_code == 200                     # may import into the town ...
    refused = client.post("/admin/baishui/catalog/import", data={**form, "csrf_token": csrf_from(
        town_page.get_data(as_text=True))}, follow_redirects=True)
    assert "导入预览已失效" in refused.get_data(as_text=True)   # ... but not with the county's preview
    assert _all_in(demo, "baishui") == before
    assert client.post("/admin/qinglan/catalog/import", data=form).status_code == 302
