"""Records: the workflow, 索引号, validity, disclosure attributes, who may do what."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from core.accounts import SYSTEM
from core.clock import CHINA_TZ
from core.attachments import Attachment
from core.audit import AuditEntry
from core.db import db
from core.errors import AccessDenied, Conflict, DomainError
from core.tenants import tenant_by_slug, tenant_scope
from plugins.catalog import services
from plugins.catalog.models import Record
from tests.catalog.fixtures import at, leaf, make_record
from tests.conftest import at_china


def test_draft_submit_review_publish(demo, ctx, users):
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        record = services.create_record(users["li"], town, {
            "item_id": leaf(town, "改造对象名单").id, "title": "白水镇2026年第二批农村危房改造对象公示",
            "doc_no": "白政发〔2026〕12号", "written_date": date(2026, 6, 1),
            "body": '<p>名单如下<script>alert(1)</script></p>'})
        assert record.status == "draft" and record.index_no is None and record.body == "<p>名单如下</p>"
        services.submit(users["li"], record)
        assert record.status == "submitted"
        with pytest.raises(AccessDenied, match="没有发布权限"):
            services.publish(users["li"], record, review_confirmed=True)
        with pytest.raises(DomainError, match="保密审查"):
            services.publish(users["zhao"], record, review_confirmed=False)
        services.publish(users["zhao"], record, review_confirmed=True, when=at(date(2026, 6, 3)))
        db.session.commit()
        assert record.status == "published" and record.review_confirmed and record.reviewed_by_id == users["zhao"].id
        assert record.index_no == "11451102X/2026-00001"
        actions = [e.action for e in db.session.scalars(select(AuditEntry).where(
            AuditEntry.object_type == "Record", AuditEntry.object_id == str(record.id)).order_by(AuditEntry.id))]
        assert actions == ["catalog.record.create", "catalog.record.submit", "catalog.record.publish"]


def test_a_reviewer_may_send_back_with_a_reason(demo, ctx, users):
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        record = services.create_record(users["li"], town, {"item_id": leaf(town, "法律援助").id, "title": "法援指南"})
        services.submit(users["li"], record)
        with pytest.raises(DomainError, match="写明原因"):
            services.return_to_draft(users["zhao"], record, " ")
        services.return_to_draft(users["zhao"], record, "请补充联系电话")
        assert record.status == "draft" and record.return_note == "请补充联系电话"


def test_no_one_approves_their_own_record_unless_the_tenant_allows_it(demo, ctx, users, runner):
    runner.invoke(args=["users", "grant", "li", "reviewer", "baishui"])
    town = tenant_by_slug("baishui")
    li = users["li"]
    li.__dict__.pop("_roles_cache", None)
    with tenant_scope(town):
        record = services.create_record(li, town, {"item_id": leaf(town, "法律援助").id, "title": "法援指南"})
        with pytest.raises(AccessDenied, match="尚未提交审核"):
            services.publish(li, record, review_confirmed=True)
        services.submit(li, record)
        with pytest.raises(AccessDenied, match="另一位审核人员"):
            services.publish(li, record, review_confirmed=True)
        services.set_self_publish(users["wang"], town, True)
        services.publish(li, record, review_confirmed=True)
        assert record.status == "published"


def test_a_reviewer_who_rewrote_someone_elses_draft_does_not_approve_it(demo, ctx, users, runner):
    runner.invoke(args=["users", "grant", "zhao", "editor", "baishui"])
    zhao = users["zhao"]
    zhao.__dict__.pop("_roles_cache", None)
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        record = services.create_record(users["li"], town, {"item_id": leaf(town, "法律援助").id, "title": "原稿"})
        services.update_record(zhao, record, {"title": "改写后的标题"})
        services.submit(users["li"], record)
        with pytest.raises(AccessDenied, match="起草或修改过"):
            services.publish(zhao, record, review_confirmed=True)


def test_a_submitted_record_is_locked_until_sent_back(demo, ctx, users):
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        record = services.create_record(users["li"], town, {"item_id": leaf(town, "法律援助").id, "title": "原稿"})
        services.submit(users["li"], record)
        with pytest.raises(Conflict, match="待审核的信息不能修改"):
            services.update_record(users["li"], record, {"title": "偷偷改"})
        services.return_to_draft(users["zhao"], record, "补充电话")
        services.update_record(users["li"], record, {"title": "补充后"})
        assert record.title == "补充后"


def test_the_index_year_is_the_year_in_china(demo, ctx):
    from datetime import datetime, timezone
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        record = services.create_record(SYSTEM, town, {"item_id": leaf(town, "法律援助").id, "title": "元旦发布"})
        # 2027-01-01 01:00 in Beijing is still 2026 in UTC
        services.publish(SYSTEM, record, review_confirmed=True, when=datetime(2026, 12, 31, 17, tzinfo=timezone.utc))
        assert record.index_year == 2027 and record.index_no == "11451102X/2027-00001"


@pytest.mark.dated
def test_a_record_past_its_expiry_date_shows_as_lapsed(demo, ctx, client):
    record_id = make_record("baishui", "法律援助", "2025年度指南", expiry_date="2025-12-31")
    html = client.get(f"/qinglan/baishui/catalog/records/{record_id}").get_data(as_text=True)
    assert "<strong class=\"lapsed\">失效</strong>（2025-12-31起）" in html
    listing = client.get("/qinglan/baishui/catalog/records/?validity=valid").get_data(as_text=True)
    assert "2025年度指南" not in listing
    assert "2025年度指南" in client.get("/qinglan/baishui/catalog/records/?validity=expired").get_data(as_text=True)


def test_attachment_visibility_follows_the_disclosure_of_the_records_using_it(demo, ctx, client, users):
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        a = Attachment(token="e" * 32, filename="名单.pdf", extension="pdf", content_type="application/pdf", size=1,
                       sha256="0" * 64)
        db.session.add(a)
        db.session.flush()
        record = services.create_record(users["li"], town, {"item_id": leaf(town, "法律援助").id, "title": "名单",
                                                            "attachment_ids": [a.id]})
        services.submit(users["li"], record)
        services.publish(users["zhao"], record, review_confirmed=True)
        assert a.is_public
        services.update_record(users["zhao"], record, {"disclosure": "withheld", "disclosure_reason": "涉及个人隐私"})
        assert not a.is_public
        services.update_record(users["zhao"], record, {"disclosure": "proactive"})
        assert a.is_public
        services.update_record(users["zhao"], record, {"attachment_ids": []})
        assert not a.is_public  # unlinked from the only public record


def test_a_village_clerk_may_publish_alone_when_allowed(demo, ctx, users):
    village = tenant_by_slug("dongpo")
    with tenant_scope(village):
        record = services.create_record(users["chen"], village, {
            "item_id": leaf(village, "财务收支和“三资”管理情况").id, "title": "东坡村10月财务收支"})
        with pytest.raises(AccessDenied):
            services.publish(users["chen"], record, review_confirmed=True)
        services.set_self_publish(users["wang"], village, True)
        services.publish(users["chen"], record, review_confirmed=True)
        assert record.index_no.startswith("11451102A/")


def test_index_numbers_count_per_tenant_and_year_and_restart_each_year(demo, ctx):
    ids = [make_record("baishui", "法律援助", f"指南{i}", when=date(2025, 12, 30 + i)) for i in range(2)]
    ids += [make_record("baishui", "法律援助", "指南2026", when=date(2026, 1, 5))]
    ids += [make_record("liuhe", "法律援助", "柳河指南", when=date(2026, 1, 5))]
    with tenant_scope(tenant_by_slug("baishui")):
        numbers = [db.session.get(Record, i).index_no for i in ids[:3]]
    assert numbers == ["11451102X/2025-00001", "11451102X/2025-00002", "11451102X/2026-00001"]
    with tenant_scope(tenant_by_slug("liuhe")):
        assert db.session.get(Record, ids[3]).index_no == "11451103X/2026-00001"


def test_a_deleted_draft_never_gives_its_number_back(demo, ctx):
    first = make_record("baishui", "法律援助", "甲", when=date(2026, 3, 1))
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        services.lapse(SYSTEM, db.session.get(Record, first), "repealed")
        db.session.commit()
    second = make_record("baishui", "法律援助", "乙", when=date(2026, 3, 2))
    with tenant_scope(town):
        assert db.session.get(Record, second).index_no.endswith("-00002")


def test_without_a_unit_code_publishing_explains_what_to_do(demo, ctx):
    town = tenant_by_slug("baishui")
    town.unit_code = None
    db.session.commit()
    with pytest.raises(DomainError, match="还没有单位代码"):
        make_record("baishui", "法律援助", "甲")


def test_a_lapse_is_dated_by_chinas_calendar_not_the_servers(demo, ctx):
    """At 00:30 on 1 January in China it is still 31 December in UTC: the repeal is dated the 1st."""
    record_id = make_record("qinglan", "规范性文件", "2026年招生意见", when=date(2026, 3, 1))
    with tenant_scope(tenant_by_slug("qinglan")), at_china(datetime(2027, 1, 1, 0, 30, tzinfo=CHINA_TZ)):
        record = db.session.get(Record, record_id)
        services.lapse(SYSTEM, record, "repealed")
        db.session.commit()
        assert record.validity_date == date(2027, 1, 1)


@pytest.mark.dated
def test_lapsed_records_stay_and_point_to_their_replacement(demo, ctx):
    old = make_record("qinglan", "规范性文件", "2024年招生意见", when=date(2024, 3, 1))
    new = make_record("qinglan", "规范性文件", "2026年招生意见", when=date(2026, 3, 1))
    district = tenant_by_slug("qinglan")
    with tenant_scope(district):
        record = db.session.get(Record, old)
        with pytest.raises(DomainError, match="替代文件"):
            services.lapse(SYSTEM, record, "repealed", superseded_by=old)
        services.lapse(SYSTEM, record, "repealed", on=date(2026, 3, 1), superseded_by=new)
        db.session.commit()
        assert record.validity == "repealed" and record.superseded_by_id == new and record.status_label == "已废止"
        with pytest.raises(Conflict, match="不能删除"):
            services.delete_record(SYSTEM, record)


def test_non_proactive_records_need_a_legal_reason(demo, ctx):
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        with pytest.raises(DomainError, match="法定理由"):
            services.create_record(SYSTEM, town, {"item_id": leaf(town, "法律援助").id, "title": "甲",
                                                  "disclosure": "withheld"})


def test_two_approvals_at_once_give_one_index_number(demo, ctx):
    from sqlalchemy import update
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        record = services.create_record(SYSTEM, town, {"item_id": leaf(town, "法律援助").id, "title": "甲"})
        db.session.commit()
        # another request published it between our load and our approval
        db.session.execute(update(Record).where(Record.id == record.id).values(status="published")
                           .execution_options(synchronize_session=False))
        from sqlalchemy.orm.attributes import set_committed_value
        set_committed_value(record, "status", "submitted")  # what our stale copy still says
        with pytest.raises(Conflict, match="刚被其他人处理过"):
            services.publish(SYSTEM, record, review_confirmed=True)


@pytest.mark.parametrize("data, message", [
    ({"title": ""}, "请填写标题"),
    ({"title": "甲", "written_date": "2026-13-40"}, "成文日期格式不正确"),
    ({"title": "甲", "effective_date": "2026-05-01", "expiry_date": "2026-04-01"}, "失效日期不能早于生效日期"),
    ({"title": "甲", "doc_no": "号" * 101}, "文号不能超过 100 个字符"),
])
def test_bad_record_input_is_refused_clearly(demo, ctx, data, message):
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        with pytest.raises(DomainError, match=message):
            services.create_record(SYSTEM, town, {"item_id": leaf(town, "法律援助").id, **data})


def test_records_go_only_under_applicable_leaf_items_of_the_tenant(demo, ctx):
    town, district = tenant_by_slug("baishui"), tenant_by_slug("qinglan")
    with tenant_scope(district):
        foreign_item = leaf(district, "教育法律").id
    with tenant_scope(town):
        parent = next(i for i in services.all_items(town) if i.children)
        for item_id in (foreign_item, parent.id):
            with pytest.raises(DomainError, match="适用的公开事项"):
                services.create_record(SYSTEM, town, {"item_id": item_id, "title": "甲"})


def test_publishing_makes_the_attachments_public_only_for_proactive_records(demo, ctx):
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        a = Attachment(token="a" * 32, filename="a.pdf", extension="pdf", content_type="application/pdf", size=1,
                       sha256="0" * 64)
        b = Attachment(token="b" * 32, filename="b.pdf", extension="pdf", content_type="application/pdf", size=1,
                       sha256="0" * 64)
        db.session.add_all([a, b])
        db.session.flush()
        public = services.create_record(SYSTEM, town, {"item_id": leaf(town, "法律援助").id, "title": "公开",
                                                       "attachment_ids": [a.id]})
        private = services.create_record(SYSTEM, town, {"item_id": leaf(town, "法律援助").id, "title": "依申请",
                                                        "attachment_ids": [b.id], "disclosure": "on_request",
                                                        "disclosure_reason": "涉及个人隐私"})
        services.publish(SYSTEM, public, review_confirmed=True)
        services.publish(SYSTEM, private, review_confirmed=True)
        assert a.is_public and not b.is_public


def test_another_tenants_attachment_cannot_be_attached(demo, ctx):
    with tenant_scope(tenant_by_slug("liuhe")):
        foreign = Attachment(token="c" * 32, filename="c.pdf", extension="pdf", content_type="application/pdf",
                             size=1, sha256="0" * 64)
        db.session.add(foreign)
        db.session.commit()
        foreign_id = foreign.id
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        with pytest.raises(DomainError, match="附件不存在"):
            services.create_record(SYSTEM, town, {"item_id": leaf(town, "法律援助").id, "title": "甲",
                                                  "attachment_ids": [foreign_id]})
        with pytest.raises(DomainError, match="附件编号必须是整数"):
            services.create_record(SYSTEM, town, {"item_id": leaf(town, "法律援助").id, "title": "乙",
                                                  "attachment_ids": ["一号"]})


def test_files_keep_the_order_given_and_a_repeated_one_links_once(demo, ctx):
    """core's sync_attachments, through the catalog (the gazette and opinions use the same one)."""
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        files = [Attachment(token=f"{n}" * 32, filename=f"{n}.pdf", extension="pdf", content_type="application/pdf",
                            size=1, sha256="0" * 64) for n in (1, 2, 3)]
        db.session.add_all(files)
        db.session.flush()
        a, b, c = (f.id for f in files)
        record = services.create_record(SYSTEM, town, {"item_id": leaf(town, "法律援助").id, "title": "丙",
                                                       "attachment_ids": [c, a, c, b]})
        db.session.commit()
        assert [link.attachment_id for link in record.attachment_links] == [c, a, b]
        assert [link.position for link in record.attachment_links] == [0, 1, 2]
        assert services.update_record(SYSTEM, record, {"attachment_ids": [str(c), a, b]}) == []   # no change
        assert services.set_attachments(record, [b]) is True
        assert [link.attachment_id for link in record.attachment_links] == [b]


def test_a_doc_no_typed_with_square_brackets_is_published_with_hexagonal_ones_and_found_any_way(demo, client):
    """Issue 18, point 3 (GB/T 9704-2012 7.2.4): the finding was 白政办发[2026]15号 published as typed."""
    with demo.app_context():
        make_record("baishui", "法律援助", "白水镇法律援助工作实施方案", doc_no="白政办发[2026]15号")
        with tenant_scope(tenant_by_slug("baishui")):
            record = db.session.scalar(select(Record).where(Record.title == "白水镇法律援助工作实施方案"))
            assert record.doc_no == "白政办发〔2026〕15号"
            record_id = record.id
    assert "白政办发〔2026〕15号" in client.get(f"/qinglan/baishui/catalog/records/{record_id}").get_data(as_text=True)
    for typed in ("白政办发2026年15号", "白政办发[2026]15号", "白政办发2026 15号", "白政办发〔2026〕第15号"):
        page = client.get("/qinglan/baishui/search", query_string={"q": typed}).get_data(as_text=True)
        assert "白水镇法律援助工作实施方案" in page, typed
