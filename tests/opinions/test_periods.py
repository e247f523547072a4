"""The shortest consultation period by what is consulted on (issue 18, point 8): 规章 and 重大行政决策
at least 30 days, 行政规范性文件 at least 7 working days, 其他 as the tenant sets; a shorter period
only with a reason, which the public sees. The start day is not counted (民法典 第二百零一条), and
规章 is not offered to county, township or village tenants (立法法 第九十三条)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.accounts import SYSTEM, user_by_username
from core.clock import china_today
from core.db import db
from core.errors import DomainError
from core.tenants import tenant_by_slug, tenant_scope
from plugins.opinions import services
from plugins.opinions.models import Consultation
from tests.conftest import at_china, post_form
from tests.opinions.fixtures import DRAFT

# Date-dependent: make test runs this module again under the risky days (tests/stages.py).
pytestmark = pytest.mark.dated


def create(slug: str = "baishui", **data) -> Consultation:
    tenant = tenant_by_slug(slug)
    return services.create_consultation(SYSTEM, tenant, {"title": "征求意见稿", "draft_html": DRAFT, **data})


def test_major_decisions_need_30_days_not_counting_the_start_day(demo, ctx):
    """重大行政决策程序暂行条例（国务院令第713号）第十五条（公开征求意见的期限一般不少于30日；缩短期限的
    应当予以说明）, counted by 民法典 第二百零一条（按照年、月、日计算期间的，开始的当日不计入，自下一日开始
    计算）: a period starting on day D ends no earlier than D + 30."""
    start = china_today()
    with tenant_scope(tenant_by_slug("baishui")):
        with pytest.raises(DomainError) as refused:
            create(kind="major_decision", starts_on=start, ends_on=start + timedelta(days=29))
        assert refused.value.field == "short_period_reason"
        assert ("重大行政决策征求意见期限一般不少于 30 日（本次 29 日，"
                f"最早可截止于 {start + timedelta(days=30):%Y-%m-%d}；"
                "依据：《重大行政决策程序暂行条例》第十五条）") in refused.value.message
        db.session.rollback()
        c = create(kind="major_decision", starts_on=start, ends_on=start + timedelta(days=30))
        assert c.kind == "major_decision" and c.period_days == 30
        short = create(kind="major_decision", starts_on=start, ends_on=start + timedelta(days=9),
                       short_period_reason="上级限时要求")
        assert short.short_period_reason == "上级限时要求"


def test_the_30_day_rule_of_rules_is_kept_for_governments_that_make_them():
    """规章制定程序条例 第十五条（向社会公布征求意见的期限一般不少于30日）, counted by 民法典 第二百零一条."""
    rule = services.LEGAL_RULES["rules"]
    assert (rule.length, rule.unit, rule.basis) == (30, "days", "《规章制定程序条例》第十五条")
    assert rule.earliest_end(date(2025, 1, 31)) == date(2025, 3, 2)


def test_county_and_township_governments_are_not_offered_rules(demo, client, auth):
    """立法法 第九十三条: 规章 are made by the governments of 省、自治区、直辖市 and 设区的市、自治州 only;
    a county (district), township or village tenant has no 规章制定权. A consultation of that kind
    stored before is still shown and may still be edited."""
    with demo.app_context():
        for slug in ("qinglan", "baishui"):
            tenant = tenant_by_slug(slug)
            assert "rules" not in services.kinds_for(tenant)
            with tenant_scope(tenant), pytest.raises(DomainError, match="没有规章制定权") as refused:
                create(slug, kind="rules", starts_on=china_today(), ends_on=china_today() + timedelta(days=30))
            assert refused.value.field == "kind" and "立法法》第九十三条" in refused.value.message
            db.session.rollback()
        town = tenant_by_slug("baishui")
        with tenant_scope(town):
            old = create(starts_on=china_today(), ends_on=china_today() + timedelta(days=30))
            old.kind = "rules"   # stored before the rule
            services.announce(SYSTEM, old)
            db.session.commit()
            old_id = old.id
            assert services.kinds_for(town, "rules") == ("rules", "major_decision", "normative", "other")
    auth.login("li")
    form = client.get("/admin/baishui/opinions/new").get_data(as_text=True)
    assert 'value="major_decision"' in form and 'value="rules"' not in form and "<li>规章" not in form
    assert "<dt>事项类别</dt><dd>规章</dd>" in client.get(f"/qinglan/baishui/opinions/{old_id}").get_data(as_text=True)
    edit = client.get(f"/admin/baishui/opinions/{old_id}/edit").get_data(as_text=True)
    assert "征求意见的事项类别：规章（已发布，不能修改）" in edit
    saved = post_form(client, f"/admin/baishui/opinions/{old_id}/edit", {"title": "改过的标题", "moderation": "review"})
    assert saved.status_code == 302
    with demo.app_context(), tenant_scope(tenant_by_slug("baishui")):
        c = db.session.get(Consultation, old_id)
        assert (c.title, c.kind) == ("改过的标题", "rules")


def test_normative_documents_need_7_working_days_counted_across_a_holiday(demo, ctx, client):
    """国办发〔2018〕37号《国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知》：征求意见的期限
    一般不少于7个工作日, the start day not counted (民法典 第二百零一条). Counted with the working-day
    calendar: after Monday 29 September 2025 the 国庆节 holiday (1–8 October) does not count and
    Saturday 11 October, a make-up working day, does: 30 Sep, 9, 10, 11, 13, 14, 15 Oct. Weekends
    alone would have ended it on 8 October."""
    start = date(2025, 9, 29)
    town = tenant_by_slug("baishui")
    with at_china(date(2025, 9, 28)), tenant_scope(town):
        assert services.period_rule(town.id, "normative").earliest_end(start) == date(2025, 10, 15)
        with pytest.raises(DomainError, match=r"行政规范性文件征求意见期限一般不少于 7 个工作日（本次 6 个工作日，"
                                              r"最早可截止于 2025-10-15；依据：《国务院办公厅关于加强行政规范性文件"):
            create(kind="normative", starts_on=start, ends_on=date(2025, 10, 14))
        db.session.rollback()
        c = create(kind="normative", starts_on=start, ends_on=date(2025, 10, 15))
        db.session.commit()
        cid = c.id
    # Announced a day late, the period counts from the day after: six working days are left.
    with at_china(date(2025, 9, 30)), tenant_scope(town):
        c = db.session.get(Consultation, cid)
        with pytest.raises(DomainError, match=r"征集期限从 2025-09-30 的次日起算，到截止日期只有 6 个工作日，"
                                              r"少于行政规范性文件类意见征集的最短期限 7 个工作日.*最早可截止于 2025-10-16"):
            services.announce(SYSTEM, c)
        db.session.rollback()
    with at_china(date(2025, 9, 29)), tenant_scope(town):
        c = db.session.get(Consultation, cid)
        services.announce(SYSTEM, c)
        db.session.commit()
        assert c.starts_on == start
    # The public page gives the period in the unit of its rule, not 17 calendar days.
    with at_china(date(2025, 9, 29)):
        html = client.get(f"/qinglan/baishui/opinions/{cid}").get_data(as_text=True)
    assert "2025-09-29 至 2025-10-15（共 7 个工作日）" in html


def test_the_form_tells_the_minimum_and_the_earliest_end_date(demo, client, auth):
    auth.login("li")
    with at_china(date(2025, 9, 29)):
        html = client.get("/admin/baishui/opinions/new").get_data(as_text=True)
        assert "开始日期 2025-09-29 当日不计入，自次日起算" in html
        assert "规章：" not in html   # 立法法 第九十三条
        assert "重大行政决策：不少于 30 日，最早截止于 2025-10-29" in html
        assert "行政规范性文件：不少于 7 个工作日，最早截止于 2025-10-15" in html
        assert "其他：不少于 30 日，最早截止于 2025-10-29</strong>（当前所选）" in html
        # A refused save shows the rule next to the reason field, and the hint for the chosen kind.
        refused = post_form(client, "/admin/baishui/opinions/new", {
            "title": "白水镇殡葬管理规定（征求意见稿）", "draft_html": "<p>第一条 甲。</p>", "kind": "normative",
            "starts_on": "2025-09-29", "ends_on": "2025-10-10", "moderation": "review"})
        page = refused.get_data(as_text=True)
        assert refused.status_code == 200
        assert "本次 3 个工作日，最早可截止于 2025-10-15" in page
        assert "行政规范性文件：不少于 7 个工作日，最早截止于 2025-10-15</strong>（当前所选）" in page


def test_a_shorter_period_is_published_with_its_reason(demo, ctx, client):
    """重大行政决策程序暂行条例 第十五条: 因情况紧急等原因需要缩短期限的，公开征求意见时应当予以说明."""
    today = china_today()
    with tenant_scope(tenant_by_slug("baishui")):
        c = create(kind="major_decision", title="白水镇防汛应急转移方案", starts_on=today,
                   ends_on=today + timedelta(days=14), short_period_reason="汛期临近，须在主汛期前实施")
        services.announce(SYSTEM, c)
        db.session.commit()
        cid = c.id
    html = client.get(f"/qinglan/baishui/opinions/{cid}").get_data(as_text=True)
    assert "<dt>事项类别</dt><dd>重大行政决策</dd>" in html
    assert "缩短征集期限的理由：</strong>汛期临近，须在主汛期前实施" in html


def test_other_consultations_follow_the_tenants_own_minimum(demo, client, auth):
    """其他: the tenant admin sets the minimum (30 days until changed); other tenants keep theirs."""
    auth.login("li")   # an editor may not change the rule
    assert client.get("/admin/baishui/opinions/settings").status_code in (403, 404)
    auth.logout()
    auth.login("wang")
    assert "最短征集期限设置" in client.get("/admin/baishui/opinions/").get_data(as_text=True)
    refused = post_form(client, "/admin/baishui/opinions/settings", {"other_min_period": "0",
                                                                      "other_period_unit": "days"})
    assert "最短期限应在 1 到 90 日之间" in refused.get_data(as_text=True)
    saved = post_form(client, "/admin/baishui/opinions/settings", {"other_min_period": "10",
                                                                    "other_period_unit": "workdays"},
                      follow_redirects=True)
    page = saved.get_data(as_text=True)
    assert "已保存" in page and 'value="10"' in page
    assert "《重大行政决策程序暂行条例》第十五条" in page   # the legal kinds are listed, not editable
    assert "《规章制定程序条例》" not in page               # 规章 are not this tenant's (立法法 第九十三条)
    with demo.app_context():
        baishui, liuhe = tenant_by_slug("baishui"), tenant_by_slug("liuhe")
        with tenant_scope(baishui):
            assert services.period_rule(baishui.id, "other").label == "10 个工作日"
            assert services.period_rule(baishui.id, "rules").label == "30 日"   # the law's, whatever the tenant says
        with tenant_scope(liuhe):
            assert services.period_rule(liuhe.id, "other").label == "30 日"
        with at_china(date(2025, 9, 29)):
            with tenant_scope(baishui):
                # after 29 Sep: 30 Sep, 9, 10, 11, 13, 14, 15, 16, 17, 20 Oct: ten working days
                with pytest.raises(DomainError, match="“其他”类事项征求意见期限一般不少于 10 个工作日"):
                    create(starts_on=date(2025, 9, 29), ends_on=date(2025, 10, 17))
                db.session.rollback()
                assert create(starts_on=date(2025, 9, 29), ends_on=date(2025, 10, 20)).kind == "other"
                db.session.rollback()
            with tenant_scope(liuhe):
                with pytest.raises(DomainError, match="不少于 30 日"):
                    create("liuhe", starts_on=date(2025, 9, 29), ends_on=date(2025, 10, 17))
                db.session.rollback()


def test_a_later_stricter_minimum_does_not_block_editing_an_earlier_consultation(demo, ctx):
    today = china_today()
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        c = create(starts_on=today, ends_on=today + timedelta(days=30))
        services.save_settings(user_by_username("wang"), town, other_min_period=45, other_period_unit="days")
        assert services.update_consultation(SYSTEM, c, {"title": "改过的标题"}) == ["title"]
        with pytest.raises(DomainError, match="不少于 45 日"):
            services.update_consultation(SYSTEM, c, {"ends_on": today + timedelta(days=31)})


def test_the_api_takes_and_returns_the_kind(demo, client, runner):
    token = {"Authorization": "Bearer " + runner.invoke(args=["users", "token", "li"]).output.strip().splitlines()[-1]}
    url = "/api/v1/tenants/baishui/opinions/consultations"
    start = china_today()
    body = {"title": "白水镇村规民约指引（征求意见稿）", "draft_html": "<p>第一条 甲。</p>", "starts_on": start.isoformat()}
    unknown = client.post(url, headers=token, json={**body, "kind": "law", "ends_on": start.isoformat()})
    assert unknown.status_code == 400 and "error" in unknown.get_json()   # the API's validation refusal
    assert any(d["field"] == "kind" for d in unknown.get_json()["details"])
    rules = client.post(url, headers=token, json={**body, "kind": "rules",
                                                  "ends_on": (start + timedelta(days=30)).isoformat()})
    assert rules.status_code == 400 and "没有规章制定权" in rules.get_json()["error"]   # 立法法 第九十三条
    short = client.post(url, headers=token, json={**body, "kind": "major_decision",
                                                  "ends_on": (start + timedelta(days=20)).isoformat()})
    assert short.status_code == 400
    assert "重大行政决策征求意见期限一般不少于 30 日（本次 20 日" in short.get_json()["error"]
    created = client.post(url, headers=token, json={**body, "kind": "major_decision",
                                                    "ends_on": (start + timedelta(days=30)).isoformat()})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["kind"] == "major_decision" and created.get_json()["kind_label"] == "重大行政决策"
    assert created.get_json()["period_days"] == 30
    cid = created.get_json()["id"]
    # Without a kind a consultation is 其他, as every consultation was before kinds existed.
    plain = client.post(url, headers=token, json={**body, "ends_on": (start + timedelta(days=30)).isoformat()})
    assert plain.get_json()["kind"] == "other"
    # Changing the kind is checked against the new kind's minimum.
    patched = client.patch(f"{url}/{cid}", headers=token, json={"kind": "normative"})
    assert patched.status_code == 200 and patched.get_json()["kind"] == "normative"
    too_short = client.patch(f"{url}/{cid}", headers=token, json={"kind": "major_decision",
                                                                  "ends_on": (start + timedelta(days=5)).isoformat()})
    assert too_short.status_code == 400 and "重大行政决策征求意见期限一般不少于 30 日" in too_short.get_json()["error"]
    assert client.get(f"{url}/{cid}", headers=token).get_json()["kind"] == "normative"
    # Once announced the kind is fixed: the public was given the period of that kind.
    assert client.post(f"{url}/{cid}/announce", headers=token).status_code == 200
    fixed = client.patch(f"{url}/{cid}", headers=token, json={"kind": "other"})
    assert fixed.status_code == 409 and "事项类别" in fixed.get_json()["error"]
    same = client.patch(f"{url}/{cid}", headers=token, json={"kind": "normative", "title": "改过的标题"})
    assert same.status_code == 200 and same.get_json()["kind"] == "normative"
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "major_decision" in str(spec["components"]["schemas"]["ConsultationInput"]["properties"]["kind"])
