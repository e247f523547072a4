"""The annual report's section 三 (国办公开办函〔2021〕30号《政府信息公开工作年度报告格式》): every row
and column, which date puts an application in a year, the printed check 一 + 二 = 三（七）+ 四; the
page and its .xlsx; the application_statistics hook; and the privacy purge (PIPL), which keeps the
statistics identical."""
from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from core.accounts import SYSTEM
from core.db import db
from core.tenants import across_tenants, tenant_by_slug, tenant_scope
from plugins.applications import services, stats
from plugins.applications.demo import load_demo
from plugins.applications.models import Application
from plugins.applications.privacy import ERASED_NAME, purge_personal_data
from tests.applications.fixtures import CITIZEN
from tests.conftest import at_china

ORG = {"applicant_kind": "legal", "name": "广青律师事务所", "org_code": "31451122MD0123456T", "contact_name": "韦律师",
       "phone": "0123-6668804", "address": "青岚县人民路 1 号", "description": "县自然资源局的土地出让合同",
       "form": "paper", "delivery": "post"}


def _application(received: date, *, answer: str = "", reason: str = "", done: date | None = None, **data):
    with at_china(received):
        application = services.submit_online(tenant_by_slug("baishui"), {**CITIZEN, "consent": True, **data})
        services.confirm_receipt(SYSTEM, application, received)
    if done is not None:
        application.answer, application.answer_reason = answer, reason
        application.answered_on, application.status = done, "answered"
    return application


def test_the_table_has_every_row_and_column_of_the_2021_format(demo, ctx):
    table = stats.compute(tenant_by_slug("baishui"), 2026)
    assert [label for _, label in table.columns] == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    labels = [row.label for row in table.rows]
    assert labels[:4] == ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "三、本年度办理结果",
                          "（一）予以公开"]
    assert labels[4] == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    assert labels[-2:] == ["（七）总计", "四、结转下年度继续办理"]
    assert [r.label for r in table.rows if r.level == 1] == [
        "（一）予以公开", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "（三）不予公开", "（四）无法提供",
        "（五）不予处理", "（六）其他处理", "（七）总计"]
    sub = [r.label for r in table.rows if r.level == 2]
    assert len(sub) == 8 + 3 + 5 + 3
    assert sub[0] == "1. 属于国家秘密" and sub[7] == "8. 属于行政查询事项" and sub[-1] == "3. 其他"
    assert "2. 申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请" in sub
    assert table.balanced and table.check == (0, 0)


def test_which_date_puts_an_application_in_a_year(demo, ctx):
    """新收 by the day received (条例 第三十一条); 办理结果 by the day answered or closed; open at the
    year's end: 结转下年度, and 上年结转 the next year."""
    tenant = tenant_by_slug("baishui")
    with tenant_scope(tenant):
        _application(date(2025, 12, 29), answer="disclose", done=date(2026, 1, 12))       # crosses the year
        _application(date(2026, 3, 2), answer="partial", reason="third_party_rights", done=date(2026, 3, 20), **ORG)
        _application(date(2026, 5, 6), answer="withhold", reason="process_info", done=date(2026, 5, 28))
        _application(date(2026, 12, 28))                                                  # still open
        with at_china(date(2026, 6, 1)):
            services.submit_online(tenant, {**CITIZEN, "consent": True})                  # never confirmed
        last, this = stats.compute(tenant, 2025), stats.compute(tenant, 2026)
    assert [last.row(k).counts["total"] for k in ("new", "carried_in", "results_total", "carried_out")] == [1, 0, 0, 1]
    assert [this.row(k).counts["total"] for k in ("new", "carried_in", "results_total", "carried_out")] == [3, 1, 3, 1]
    assert this.row("partial").counts == {"citizen": 0, "commercial": 0, "research": 0, "social": 0, "legal": 1,
                                          "other_org": 0, "total": 1}
    assert this.row("withhold").counts["citizen"] == this.row("withhold.process_info").counts["citizen"] == 1
    assert this.row("disclose").counts["citizen"] == 1
    assert this.balanced and this.check == (4, 4)
    assert "一 + 二 = 3 + 1 = 4；三（七）+ 四 = 3 + 1 = 4；4 = 4，核对一致。" == this.check_text


def test_an_answer_dated_before_the_receipt_breaks_the_check_and_is_named(demo, ctx):
    tenant = tenant_by_slug("baishui")
    with tenant_scope(tenant):
        wrong = _application(date(2026, 1, 5), answer="disclose", done=date(2025, 12, 30))
        table = stats.compute(tenant, 2026)
    assert not table.balanced and table.check == (1, 0)
    assert table.anomalies == (wrong.code,) and "核对不一致" in table.check_text


def test_the_hook_gives_the_tables_to_other_plugins(demo, ctx):
    registry = ctx.extensions["cms"]
    with tenant_scope(tenant_by_slug("baishui")):
        _application(date(2026, 3, 2), answer="disclose", done=date(2026, 3, 10))
    table = registry.hook.application_statistics(tenant=tenant_by_slug("baishui"), year=2026)
    assert isinstance(table, stats.ApplicationStatistics) and table.row("disclose").counts["total"] == 1
    assert registry.hook.application_statistics(tenant=tenant_by_slug("dongpo"), year=2026) is None   # a village


def test_the_page_prints_the_check_and_the_xlsx_holds_the_table(demo, client, auth):
    with client.application.app_context(), tenant_scope(tenant_by_slug("baishui")):
        _application(date(2026, 3, 2), answer="unable", reason="not_held", done=date(2026, 3, 10))
        db.session.commit()
    with at_china(date(2026, 6, 1)):
        auth.login("li")
        page = client.get("/admin/baishui/applications/stats?year=2026")
        body = page.get_data(as_text=True)
        assert page.status_code == 200 and "白水镇 2026 年依申请公开统计" in body
        assert "核对：一 + 二 = 1 + 0 = 1；三（七）+ 四 = 1 + 0 = 1；1 = 1，核对一致。" in body
        assert client.get("/admin/baishui/applications/stats?year=1999").status_code == 404
        download = client.get("/admin/baishui/applications/stats.xlsx?year=2026")
    assert download.status_code == 200
    wb = load_workbook(io.BytesIO(download.data))
    sheet = wb["三、收到和处理政府信息公开申请情况"]
    rows = {r[0].strip(): r[1:] for r in sheet.iter_rows(values_only=True) if r and isinstance(r[0], str)}
    assert rows["一、本年新收政府信息公开申请数量"] == (1, 0, 0, 0, 0, 0, 1)
    assert rows["1. 本机关不掌握相关政府信息"] == (1, 0, 0, 0, 0, 0, 1)
    assert any("核对一致" in (r[0] or "") for r in sheet.iter_rows(values_only=True) if isinstance(r[0], str))
    assert list(wb["四、行政复议和行政诉讼情况"].iter_rows(values_only=True))[2] == (0,) * 15


def test_the_purge_erases_applicants_after_the_retention_and_keeps_the_statistics(demo, ctx):
    """PIPL 第十九条 (kept no longer than needed); APPLICATIONS_RETENTION_YEARS, default 5 years
    after closing; the statistics of every year stay identical."""
    with at_china(date(2026, 6, 15)):
        load_demo()
        db.session.commit()
    tenants = [tenant_by_slug(s) for s in ("qinglan", "baishui", "liuhe", "chengguan")]
    before = [stats.compute(t, y) for t in tenants for y in (2024, 2025, 2026)]
    with at_china(date(2029, 6, 1)):
        assert purge_personal_data(date(2029, 6, 1)) == 0           # closed in 2025 and 2026: not 5 years yet
    with at_china(date(2032, 6, 1)):
        ctx.config["APPLICATIONS_RETENTION_YEARS"] = 10
        assert purge_personal_data(date(2032, 6, 1)) == 0
        ctx.config.pop("APPLICATIONS_RETENTION_YEARS")
        assert purge_personal_data(date(2025, 1, 1)) == 0           # `before` still bounds it
        erased = purge_personal_data(date(2032, 6, 1))
        db.session.commit()
    with across_tenants(None, reason="test"):
        apps = db.session.query(Application).all()
        closed = [a for a in apps if a.status == "closed"]
        assert erased == len(closed) > 15
        for a in closed:
            assert a.name == ERASED_NAME and a.personal_data_purged_at is not None
            assert (a.id_number, a.phone, a.email, a.address, a.postcode, a.org_code, a.contact_name) == ("",) * 7
            assert a.applicant_kind and a.received_on and a.answer
        assert all(a.name != ERASED_NAME and a.phone for a in apps if a.status != "closed")
    assert [stats.compute(t, y) for t in tenants for y in (2024, 2025, 2026)] == before
    with at_china(date(2032, 6, 2)):
        assert purge_personal_data(date(2032, 6, 2)) == 0           # once



def test_the_purge_rewrites_the_signed_letter_without_the_applicant(demo, ctx):
    """The letter's stored PDF is made again from the erased text: no copy of the name stays."""
    from pypdf import PdfReader

    from core.plugin_api import Attachment, save_upload, storage_path, utcnow
    from plugins.applications import letters, services
    from plugins.applications.models import ReplyLetter
    from tests.applications.fixtures import CITIZEN
    from werkzeug.datastructures import FileStorage
    town = tenant_by_slug("baishui")
    with tenant_scope(town), at_china(date(2026, 3, 2)):
        application = services.submit_online(town, {**CITIZEN, "consent": True})
        services.confirm_receipt(SYSTEM, application, date(2026, 3, 2))
        services.set_answer(SYSTEM, application, {"answer": "disclose"})
        letter = ReplyLetter(tenant_id=town.id, application=application, doc_no="白政依复〔2026〕9号", status="approved",
                             body=letters.draft_text(application), approved_at=utcnow())
        db.session.add(letter)
        db.session.flush()
        pdf = save_upload(FileStorage(stream=io.BytesIO(letters.render_pdf(letter, date(2026, 3, 2))),
                                      filename="答复告知书.pdf"), uploaded_by=None, is_public=False)
        letter.pdf_attachment_id = pdf.id
        application.status, application.closed_on = "closed", date(2026, 3, 20)
        db.session.commit()
        token = pdf.token
    text = lambda: "".join(p.extract_text() for p in PdfReader(io.BytesIO(storage_path(token).read_bytes())).pages)
    assert "张三" in text()
    with at_china(date(2031, 6, 1)):
        assert purge_personal_data(date(2031, 6, 1)) >= 1
        db.session.commit()
    assert "张三" not in text() and "（已删除）" in text() and "白政依复〔2026〕9号" in text()
    with across_tenants(None, reason="test"):
        stored = db.session.scalar(db.select(Attachment).where(Attachment.token == token))
        assert stored.size == len(storage_path(token).read_bytes())


def test_the_purge_erases_the_free_text_and_the_history_but_keeps_the_facts(demo, ctx, count_queries):
    """Names typed into the request or the office's notes do not survive into a later archive:
    the description, the notes and the history's free text go; dates, answer and reason stay.
    The letters, events and appeals of all the applications are loaded at once."""
    from pypdf import PdfReader

    from plugins.applications import appeals, fees, letters
    from plugins.applications.archive import archive_pdf
    town = tenant_by_slug("baishui")
    with tenant_scope(town), at_china(date(2026, 3, 2)):
        ids = []
        for n in range(3):
            application = services.submit_online(town, {**CITIZEN, "consent": True,
                                                        "description": f"我父亲李大山（低保户）的救助审批材料第{n}份"})
            services.confirm_receipt(SYSTEM, application, date(2026, 3, 2))
            services.ask_correction(SYSTEM, application, "请张三补充与李大山的关系证明", "2026-03-09")
            services.receive_correction(SYSTEM, application, date(2026, 3, 2))
            services.extend(SYSTEM, application, 5, "需调取李大山的档案", "王主任")
            fees.notify_fee(SYSTEM, application, "pages", pages=40)
            fees.waive(SYSTEM, application, "张三家庭经济困难")
            services.set_answer(SYSTEM, application, {"answer": "disclose"})
            letter = letters.draft(SYSTEM, application)
            letter.status = "approved"
            application.status, application.answered_on = "closed", date(2026, 3, 2)
            application.closed_on = date(2026, 3, 20)
            appeals.record_appeal(SYSTEM, application, {"kind": "reconsideration", "filed_on": "2026-03-02",
                                                        "note": "张三称李大山的材料不全"})
            services.record_event(application, "letter_returned", "答复告知书退回修改：李大山的姓名写错", SYSTEM)
            ids.append(application.id)
        db.session.commit()
    with at_china(date(2031, 6, 1)):
        with count_queries() as statements:
            assert purge_personal_data(date(2031, 6, 1)) == 3
        db.session.commit()
    loads = [s for s in statements if s.lstrip().startswith("SELECT") and
             any(f"FROM {t}" in s for t in ("application_letters", "application_letter_attachments",
                                           "application_events", "application_appeals"))]
    assert len(loads) == 4, loads             # one per relationship, not one per application
    with tenant_scope(town):
        for application_id in ids:
            a = db.session.get(Application, application_id)
            texts = [a.description, a.doc_ref, a.correction_note, a.extension_reason, a.fee_waiver_reason,
                     a.answer_explanation, *(e.summary for e in a.events), *(x.body for x in a.letters),
                     *(x.note for x in a.appeals)]
            for text in texts:
                assert "李大山" not in text and "张三" not in text, text
            assert (a.answer, a.received_on, a.corrected_on, a.extended_days, a.fee_waived) == (
                "disclose", date(2026, 3, 2), date(2026, 3, 2), 5, True)
            summaries = " ".join(e.summary for e in a.events)
            assert "要求补正（2026-03-09 前）" in summaries and "答复期限延长 5 个工作日" in summaries
            text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(archive_pdf(a, True))).pages)
            assert "李大山" not in text and "张三" not in text and "2026-03-02" in text
