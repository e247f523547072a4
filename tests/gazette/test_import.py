"""Bulk import of historical issues from a folder through the CLI."""
from __future__ import annotations

import json

import yaml
from sqlalchemy import func, select

from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.gazette.models import GazetteArticle, GazetteIssue


def _issue(year: int, number: int, articles: list[dict], **extra) -> dict:
    return {"year": year, "number": number, "total_number": (year - 2015) * 12 + number,
            "published_on": f"{year}-{number:02d}-15", "articles": articles, **extra}


def _folder(tmp_path):
    folder = tmp_path / "archive"
    (folder / "2019-03").mkdir(parents=True)
    (folder / "2019-03" / "01.txt").write_text("第一条　为规范农村公路养护，制定本办法。\n\n第二条　本办法自印发之日起施行。",
                                               encoding="utf-8")
    (folder / "2019-03" / "02.html").write_text("<p>任命王芳为青岚县财政局局长。</p><script>alert(1)</script>",
                                                encoding="utf-8")
    (folder / "2019-03" / "issue.yaml").write_text(yaml.safe_dump(_issue(2019, 3, [
        {"section": "规范性文件", "title": "青岚县人民政府关于印发《青岚县农村公路养护办法》的通知",
         "doc_no": "青政发〔2019〕5号", "issuers": ["青岚县人民政府"], "written_date": "2019-03-01",
         "body_file": "01.txt", "validity": "repealed", "validity_date": "2023-06-30",
         "validity_note": "被《青岚县农村公路管理办法》废止"},
        {"section": "人事任免", "title": "青岚县人民政府关于王芳同志任职的通知", "doc_no": "青政任〔2019〕2号",
         "issuers": "青岚县人民政府", "body_file": "02.html"}]), allow_unicode=True), encoding="utf-8")
    (folder / "2019-04.json").write_text(json.dumps(_issue(2019, 4, [
        {"section": "政府文件", "title": "青岚县人民政府关于公布2019年县级重点建设项目的通知", "doc_no": "青政发〔2019〕9号",
         "body": "现将2019年县级重点建设项目名单予以公布。"}]), ensure_ascii=False), encoding="utf-8")
    # A broken file: its second article has no title. Nothing of it may be imported.
    (folder / "2019-05.yml").write_text(yaml.safe_dump(_issue(2019, 5, [
        {"section": "规范性文件", "title": "青岚县人民政府关于印发《青岚县第五期办法》的通知", "body": "正文"},
        {"section": "规范性文件", "doc_no": "青政发〔2019〕12号", "body": "没有标题"}]), allow_unicode=True),
        encoding="utf-8")
    (folder / "notes.yaml").write_text("- 这不是一期公报\n", encoding="utf-8")
    return folder


def _counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(GazetteIssue)),
            db.session.scalar(select(func.count()).select_from(GazetteArticle)))


def test_import_reports_each_file_and_imports_nothing_of_a_broken_one(demo, runner, tmp_path):
    folder = _folder(tmp_path)
    result = runner.invoke(args=["gazette", "import", str(folder), "qinglan"])
    assert result.exit_code == 1
    assert "导入 2 期（3 篇），已存在跳过 0 期，失败 2 个文件" in result.output
    assert "2019-05.yml：第 2 篇文章缺少 title" in result.output
    assert "notes.yaml：内容应是一期公报的信息" in result.output
    with demo.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        assert _counts() == (2, 3)
        issue = db.session.scalar(select(GazetteIssue).where(GazetteIssue.year == 2019, GazetteIssue.number == 3))
        assert issue.status == "published" and issue.total_number == 51
        assert issue.sections == ["规范性文件", "人事任免"]
        law, appointment = issue.articles
        assert law.body == "<p>第一条　为规范农村公路养护，制定本办法。</p>\n<p>第二条　本办法自印发之日起施行。</p>" \
            or law.body.count("<p>") == 2
        assert law.validity == "repealed" and law.validity_note.startswith("被《")
        assert appointment.issuers == ["青岚县人民政府"] and "<script>" not in appointment.body
        assert db.session.scalar(select(GazetteIssue).where(GazetteIssue.number == 5)) is None


def test_running_the_import_again_changes_nothing(demo, runner, tmp_path):
    folder = _folder(tmp_path)
    runner.invoke(args=["gazette", "import", str(folder), "qinglan"])
    again = runner.invoke(args=["gazette", "import", str(folder), "qinglan"])
    assert "导入 0 期（0 篇），已存在跳过 2 期" in again.output
    with demo.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        assert _counts() == (2, 3)
    # A fixed file imports on the next run.
    broken = folder / "2019-05.yml"
    data = yaml.safe_load(broken.read_text(encoding="utf-8"))
    data["articles"][1]["title"] = "青岚县人民政府关于印发《青岚县第五期另一办法》的通知"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (folder / "notes.yaml").unlink()
    fixed = runner.invoke(args=["gazette", "import", str(folder), "qinglan"])
    assert fixed.exit_code == 0 and "导入 1 期（2 篇），已存在跳过 2 期，失败 0 个文件" in fixed.output


def test_an_existing_issue_with_other_content_is_reported_not_overwritten(demo, runner, tmp_path):
    folder = _folder(tmp_path)
    runner.invoke(args=["gazette", "import", str(folder), "qinglan"])
    other = tmp_path / "other"
    other.mkdir()
    (other / "issue.json").write_text(json.dumps(_issue(2019, 4, [
        {"section": "政府文件", "title": "完全不同的文章", "body": "x"}]), ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["gazette", "import", str(other), "qinglan"])
    assert result.exit_code == 1 and "2019年第4期已经存在，且内容与此文件不同" in result.output
    with demo.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        assert db.session.scalar(select(GazetteArticle.title).join(GazetteIssue).where(GazetteIssue.number == 4)) \
            == "青岚县人民政府关于公布2019年县级重点建设项目的通知"


def test_imported_issues_are_searchable_and_get_their_pdf_on_demand(demo, runner, client, tmp_path):
    runner.invoke(args=["gazette", "import", str(_folder(tmp_path)), "qinglan"])
    found = client.get("/api/v1/tenants/qinglan/gazette/search", query_string={"q": "青政发(2019)5号"}).get_json()
    assert [i["title"] for i in found["items"]] == ["青岚县人民政府关于印发《青岚县农村公路养护办法》的通知"]
    assert found["items"][0]["validity"] == "repealed"
    made = runner.invoke(args=["gazette", "pdf", "qinglan"])
    assert "生成 2 期 PDF，0 期已是最新" in made.output
    assert "生成 0 期 PDF，2 期已是最新" in runner.invoke(args=["gazette", "pdf", "qinglan"]).output
    assert client.get("/qinglan/gazette/2019/3.pdf").data.startswith(b"%PDF")


def test_import_refuses_unknown_tenants_and_towns(demo, runner, tmp_path):
    folder = _folder(tmp_path)
    assert "不存在" in runner.invoke(args=["gazette", "import", str(folder), "nowhere"]).output
    town = runner.invoke(args=["gazette", "import", str(folder), "baishui"])
    assert town.exit_code == 1 and "没有启用政府公报" in town.output
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "没有 .yaml" in runner.invoke(args=["gazette", "import", str(empty), "qinglan"]).output
