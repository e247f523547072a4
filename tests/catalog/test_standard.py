"""The shipped standard data and the parsers shared by import, forms and supervision."""
from __future__ import annotations

import pytest

from plugins.catalog import standard


def test_the_26_pilot_domains_16_reach_the_town_and_5_village_categories():
    domains = standard.domains()
    pilot = [d for d in domains.values() if d.kind == "pilot"]
    assert len(pilot) == 26
    assert {d.name for d in pilot if d.reaches_town} == {
        "义务教育", "户籍管理", "社会救助", "养老服务", "公共法律服务", "就业", "社会保险", "农村集体土地征收",
        "保障性住房", "农村危房改造", "城市综合执法", "公共文化服务", "安全生产", "救灾", "食品药品监管", "扶贫"}
    assert [d.name for d in domains.values() if d.kind == "village"] == ["村情概况", "村务公开", "财务公开", "服务公开",
                                                                         "其他公开"]
    assert domains["03"].lead == ("教育体育局",) and all(d.lead for d in pilot)
    assert standard.domains_version()


def test_the_standard_catalog_covers_every_domain_and_every_town_domain_has_town_items():
    catalog = standard.standard_catalog()["domains"]
    assert set(catalog) == set(standard.domains())
    for code, domain in standard.domains().items():
        flat = [x for i in catalog[code] for x in [i, *i["children"]]]
        if domain.reaches_town:
            assert any("乡级" in x["levels"] for x in flat), domain.name
        if domain.kind == "village":
            assert all(x["levels"] == ["村级"] for x in flat)
        for x in flat:
            if not x["children"]:  # a first-level item that only groups its children has no elements
                assert x["channels"] and all(c in standard.CHANNELS for c in x["channels"]), x["name"]


@pytest.mark.parametrize("text, rule", [
    ("信息形成或者变更之日起20个工作日内", {"kind": "after_change", "days": 20}),
    ("信息形成（变更）之日起 20 个工作日内", {"kind": "after_change", "days": 20}),
    ("按月公开，每次公开时间不少于7个工作日", {"kind": "monthly", "due_workdays": 10, "display_workdays": 7}),
    ("事项发生之日起3个工作日内公开，公开时间不少于7个工作日", {"kind": "immediate", "days": 3, "display_workdays": 7}),
    ("每年初公开一次，期间有调整的及时更新", {"kind": "yearly", "month": 1, "day": 31}),
    ("每年3月31日前", {"kind": "yearly", "month": 3, "day": 31}),
    ("每季度结束后15个工作日内", {"kind": "quarterly", "due_workdays": 15}),
    ("每月10日前公开上月情况", {"kind": "monthly", "due_workdays": 10, "due_day": 10}),
    ("按有关规定时限公开", {"kind": "none"}),
    ("", {"kind": "none"}),
])
def test_time_limits_become_structured_rules(text, rule):
    assert standard.parse_time_limit(text) == rule


def test_channel_checklists_with_real_world_spellings():
    chosen, unknown = standard.parse_channels(
        "■政府网站 □政府公报 ■两微一端 □发布会/听证会\n□广播电视 □纸质媒体 ■公开查阅点 □政务服务中心 □便民服务站 "
        "□入户/现场 ■社区/企事业单位/村公示栏（电子屏） □精准推送 □其他")
    assert chosen == ["政府网站", "两微一端", "公开查阅点", "公示栏"] and unknown == []
    assert standard.parse_channels("■政府网站 ■飞鸽传书") == (["政府网站"], ["飞鸽传书"])


def test_legal_basis_titles_types_and_document_numbers():
    refs = standard.parse_basis("《中华人民共和国义务教育法》《社会救助暂行办法》"
                                "《国务院办公厅关于全面推进基层政务公开标准化规范化工作的指导意见》（国办发〔2019〕54号）"
                                "《中华人民共和国政府信息公开条例》")
    assert [(r["type"], r["doc_no"]) for r in refs] == [("法律", ""), ("规章", ""), ("规范性文件", "国办发〔2019〕54号"),
                                                        ("法规", "")]
    assert standard.format_basis(refs).count("《") == 4


def test_content_elements_from_bullets():
    assert standard.parse_elements("●学校名称 ●学校地址\n●办学层次") == ["学校名称", "学校地址", "办学层次"]
