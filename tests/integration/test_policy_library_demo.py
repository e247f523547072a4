"""Issue 21's "done when", on the demo as `make run` loads it: the county's 政策文件库 finds this year's
义务教育 policy by its 文号 typed with ordinary brackets and lists its 图解 and 问答; each 解读's page
links the policy back."""
from __future__ import annotations

import re

from core.clock import china_today

REQUIRES_PLUGINS = ("catalog", "disclosure")


def test_the_library_finds_the_education_policy_by_doc_no_with_its_interpretations(demo_content, client):
    year = china_today().year
    page = client.get(f"/qinglan/disclosure/policies/?q=青教体发[{year}]5号").get_data(as_text=True)
    title = f"青岚县教育体育局关于{year}年义务教育招生入学工作的实施意见"
    document = re.search(r'<a class="title" href="(/qinglan/catalog/records/\d+)">' + re.escape(title) + "</a>", page)
    assert document and f"青教体发〔{year}〕5号" in page, page
    listed = re.search(r'<p class="meta">政策解读：(.*?)</p>', page).group(1)
    interpretations = re.findall(r'<a href="(/qinglan/catalog/records/\d+)">[^<]+</a>（([^）]+)）', listed)
    assert sorted(form for _, form in interpretations) == ["图解", "问答"]
    for url, _ in interpretations:
        assert f'href="{document.group(1)}"' in client.get(url).get_data(as_text=True)
