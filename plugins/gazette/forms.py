"""Editors' forms for the gazette, its issues and articles."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from core.plugin_api import choices, REQUIRED, RichTextField, WordImportField
from plugins.gazette.models import FREQUENCY_LABELS, VALIDITY_LABELS


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class SettingsForm(FlaskForm):
    name = StringField("公报名称", validators=[DataRequired(REQUIRED), Length(max=100)])
    editing_unit = StringField("编辑单位", validators=[DataRequired(REQUIRED), Length(max=100)])
    frequency = SelectField("出版周期", choices=choices(FREQUENCY_LABELS.items()))
    sections = TextAreaField("常用栏目", validators=[Optional(), Length(max=2000)],
                             description="每行一个，按印刷顺序排列；新建一期时沿用。")

    def settings_data(self) -> dict:
        return {"name": self.name.data, "editing_unit": self.editing_unit.data, "frequency": self.frequency.data,
                "sections": _lines(self.sections.data)}


class IssueForm(FlaskForm):
    year = IntegerField("年份", validators=[DataRequired(REQUIRED), NumberRange(1949, 2100, "年份不对。")])
    number = IntegerField("期号（当年第几期）", validators=[DataRequired(REQUIRED), NumberRange(1, 366, "期号应在 1 到 366 之间。")])
    total_number = IntegerField("总期号", validators=[DataRequired(REQUIRED), NumberRange(1, 100000, "总期号不对。")])
    published_on = DateField("出版日期", validators=[DataRequired("请选择出版日期。")])
    editor_note = TextAreaField("编者按（可选）", validators=[Optional(), Length(max=5000)])
    sections = TextAreaField("本期栏目", validators=[Optional(), Length(max=2000)],
                             description="每行一个，按印刷顺序排列；调整顺序即调整目录顺序。")

    def issue_data(self) -> dict:
        return {"year": self.year.data, "number": self.number.data, "total_number": self.total_number.data,
                "published_on": self.published_on.data, "editor_note": self.editor_note.data or "",
                "sections": _lines(self.sections.data)}


class ArticleForm(FlaskForm):
    section = SelectField("栏目", validators=[DataRequired(REQUIRED)])
    title = StringField("标题", validators=[DataRequired(REQUIRED), Length(max=300)])
    doc_no = StringField("文号", validators=[Optional(), Length(max=100)], description="例如：青政发〔2026〕3号")
    issuers = TextAreaField("发文机关", validators=[Optional(), Length(max=1000)],
                            description="每行一个；联合发文时按署名顺序填写。")
    written_date = DateField("成文日期", validators=[Optional()])
    effective_date = DateField("施行日期", validators=[Optional()])
    body = RichTextField("正文", validators=[Optional(), Length(max=2_000_000)],
                         description="可使用标题、段落、列表、表格、链接和附件中的图片；字体、颜色和脚本会被自动去除。")
    word = WordImportField()
    corrects_id = SelectField("本文是勘误，更正的是", validators=[Optional()])
    source_ref = StringField("引用的政府信息", validators=[Optional(), Length(max=100)])
    files = MultipleFileField("上传附件")

    def article_data(self) -> dict:
        return {"section": self.section.data, "title": self.title.data, "doc_no": self.doc_no.data or "",
                "issuers": _lines(self.issuers.data), "written_date": self.written_date.data,
                "effective_date": self.effective_date.data, "body": self.body.data or "",
                "corrects_id": self.corrects_id.data or None}


class ValidityForm(FlaskForm):
    validity = SelectField("时效", choices=choices(VALIDITY_LABELS.items()))
    validity_date = DateField("自何日起", validators=[Optional()])
    superseded_by = SelectField("替代文件（可选）", validators=[Optional()])
    note = StringField("说明（可选）", validators=[Optional(), Length(max=300)],
                       description="例如：被《青岚县农村危房改造补助资金管理办法》（青政办发〔2026〕12号）废止")
