"""The whole journey in the test client: a town's editor generates the 2026 report and fills the
figures no system holds, a reviewer publishes it, the public reads it and downloads the PDF and
the .xlsx, and the district's overview shows it published."""
from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from tests.conftest import Auth, csrf_from, post_form


def _form_fields(html: str) -> dict:
    """What the browser would send from the report form: every input and textarea as shown."""
    form = re.search(r'<form method="post" action="[^"]+/disclosure/\d+" novalidate>(.*?)</form>', html, re.S).group(1)
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))
    fields |= {name: text.strip("\n") for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S)}
    import html as html_lib
    return {k: html_lib.unescape(v) for k, v in fields.items()}


def test_a_town_publishes_its_2026_report_and_the_public_and_the_district_read_it(demo, app):
    editor, reviewer, public, district = (app.test_client() for _ in range(4))
    Auth(editor).login("li")
    listing = editor.get("/admin/baishui/disclosure/")
    assert listing.status_code == 200 and "生成年度报告草稿" in listing.get_data(as_text=True)
    made = post_form(editor, "/admin/baishui/disclosure/", {"year": "2026"}, url="/admin/baishui/disclosure/generate")
    assert made.status_code == 302
    report_url = made.headers["Location"]
    report_id = int(report_url.rstrip("/").rsplit("/", 1)[-1])
    page = editor.get(report_url).get_data(as_text=True)
    assert "草稿" in page and "2026年，白水镇" in page

    fields = _form_fields(page)
    wrong = editor.post(report_url, data=fields | {"licensing": "-3"})
    assert wrong.status_code == 422
    assert re.search(r'id="licensing-error">[^<]*应为不小于 0 的整数', wrong.get_data(as_text=True))
    wrong = editor.post(report_url, data=fields | {"fees_wan": "0.12345"})
    assert wrong.status_code == 422 and 'id="fees_wan-error">本年收费金额以万元为单位' in wrong.get_data(as_text=True)
    fields |= {"licensing": "37", "penalty": "9", "coercion": "2", "fees_wan": "0.8500",
               "overview": "2026年，白水镇认真贯彻落实《中华人民共和国政府信息公开条例》。",
               "problems": "部分信息更新不够及时。", "other_matters": "本年度未收取信息处理费。"}
    saved = editor.post(report_url, data=fields)
    assert saved.status_code == 302
    assert "只有当前已发布的年度报告可以更正" not in editor.get(report_url).get_data(as_text=True)
    # the editor may not review his own draft
    refused = post_form(editor, report_url, {}, url=f"{report_url}/review")
    assert refused.status_code in (403, 404)

    Auth(reviewer).login("zhao")
    review_page = reviewer.get(report_url).get_data(as_text=True)
    assert "审核通过" in review_page and "核对一致" in review_page
    assert post_form(reviewer, report_url, {}, url=f"{report_url}/review").status_code == 302
    assert "发布" in reviewer.get(report_url).get_data(as_text=True)
    published = post_form(reviewer, report_url, {}, url=f"{report_url}/publish")
    assert published.status_code == 302
    assert "已发布" in reviewer.get(report_url).get_data(as_text=True)
    # frozen: the editor's save is refused with the reason
    frozen = editor.post(report_url, data=fields | {"csrf_token": csrf_from(editor.get(report_url).get_data(as_text=True)),
                                                   "licensing": "1"})
    assert frozen.status_code == 422 and "已发布的年度报告不能修改" in frozen.get_data(as_text=True)

    column = public.get("/qinglan/baishui/disclosure/").get_data(as_text=True)
    assert "政府信息公开年报" in column
    reports = public.get("/qinglan/baishui/disclosure/reports/").get_data(as_text=True)
    assert "白水镇2026年政府信息公开工作年度报告" in reports
    html = public.get(f"/qinglan/baishui/disclosure/reports/{report_id}").get_data(as_text=True)
    assert 'class="table-scroll" tabindex="0"' in html and '<th scope="col"' in html and '<th scope="row"' in html
    assert ">37<" in html and "0.8500" in html and "认真贯彻落实" in html
    assert '<meta name="viewport"' in html
    pdf = public.get(f"/qinglan/baishui/disclosure/reports/{report_id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    xlsx = public.get(f"/qinglan/baishui/disclosure/reports/{report_id}.xlsx")
    assert xlsx.status_code == 200
    assert "行政许可" in [c.value for row in load_workbook(io.BytesIO(xlsx.data)).worksheets[0].iter_rows() for c in row]

    Auth(district).login("wang")
    overview = district.get("/admin/qinglan/disclosure/overview?year=2026").get_data(as_text=True)
    row = re.search(r"<th scope=\"row\" data-label=\"单位\">白水镇</th>(.*?)</tr>", overview, re.S).group(1)
    assert "已发布" in row
