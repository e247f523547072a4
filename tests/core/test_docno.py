"""文号 in its canonical form (issue 18, point 3), as GB/T 9704-2012《党政机关公文格式》7.2.4 writes it:
"年份应标全称，用六角括号“〔〕”括入；发文顺序号不加“第”字，不编虚位（即 1 不编为 01），在阿拉伯数字后加“号”字"."""
from __future__ import annotations

import pytest

from core.docno import canonical_doc_no, looks_like_doc_no
from core.search import query_terms


@pytest.mark.parametrize("typed", ["青政办发〔2026〕3号", "青政办发[2026]3号", "青政办发(2026)3号", "青政办发（2026）3号",
                                   "青政办发【2026】3号", "青政办发［2026］3号", "青政办发﹝2026﹞3号", "青政办发 〔2026〕 3 号",
                                   "青政办发〔２０２６〕３号", "青政办发〔2026〕第3号", "青政办发〔2026〕03号",
                                   "青政办发2026年3号", "青政办发2026 3号", "青政办发2026年第003号", "　青政办发〔2026〕3号　"])
def test_every_way_people_type_it_becomes_one_form(typed):
    assert canonical_doc_no(typed) == "青政办发〔2026〕3号"
    assert looks_like_doc_no(typed)


@pytest.mark.parametrize("text", ["关于印发办法的通知", "2026年3号", "青政办发", "", "青政办发〔26〕3号"])
def test_what_is_not_a_doc_no_is_kept_as_typed(text):
    assert canonical_doc_no(text) == text.strip()
    assert not looks_like_doc_no(text)


def test_a_search_typed_any_way_looks_for_the_same_tokens():
    canonical = query_terms("青政办发〔2026〕3号")
    for typed in ("青政办发2026年3号", "青政办发[2026]3号", "青政办发2026 3号", "青政办发〔2026〕第3号"):
        assert query_terms(typed) == canonical, typed
