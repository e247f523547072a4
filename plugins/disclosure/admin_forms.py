"""The office's forms: the guide, a year's report (texts and the figures no system holds), its
correction. Numbers are read by the service, which answers in Chinese next to the field."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from core.plugin_api import REQUIRED
from plugins.disclosure.models import (APPEAL_GROUPS, APPEAL_RESULTS, DECISION_ROWS, DOC_COLUMNS, DOC_ROWS,
                                       GUIDE_SECTIONS)


def Number(label: str) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=12)], render_kw={"inputmode": "numeric"})


class GuideForm(FlaskForm):
    office_name = StringField("政府信息公开工作机构", validators=[DataRequired(REQUIRED), Length(max=200)],
                              description="受理政府信息公开申请的机构，如“白水镇人民政府党政办公室”。")
    fax = StringField("传真（选填）", validators=[Optional(), Length(max=40)])


for _key, _label in GUIDE_SECTIONS:
    setattr(GuideForm, _key, TextAreaField(_label, validators=[DataRequired(REQUIRED), Length(max=10000)],
                                           render_kw={"rows": 10}))


class GenerateForm(FlaskForm):
    year = SelectField("年度", coerce=int, validate_choice=False)


class ReportForm(FlaskForm):
    overview = TextAreaField("一、总体情况", validators=[Optional(), Length(max=20000)], render_kw={"rows": 12},
                             description="空一行分段。生成时已按本年数据起草，请核实、补充。")
    fees_wan = StringField("第二十条第（八）项 行政事业性收费：本年收费金额（单位：万元）", validators=[Optional(), Length(max=20)],
                           description="以万元为单位，最多 4 位小数，如 12.3456；没有的填 0。",
                           render_kw={"inputmode": "decimal"})
    problems = TextAreaField("五、存在的主要问题及改进情况", validators=[Optional(), Length(max=20000)], render_kw={"rows": 8})
    other_matters = TextAreaField("六、其他需要报告的事项", validators=[Optional(), Length(max=20000)], render_kw={"rows": 6})

    def report_data(self, posted) -> dict:
        """The fields the browser sent (a field left out is left as it is)."""
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token" and name in posted}


for _row, _row_label in DOC_ROWS:
    for _column, _column_label in DOC_COLUMNS:
        setattr(ReportForm, f"{_row}_{_column}", Number(f"{_row_label}：{_column_label}"))
for _key, _item, _label in DECISION_ROWS:
    setattr(ReportForm, _key, Number(f"{_item} {_label}：本年处理决定数量"))
for _group, _group_label in APPEAL_GROUPS:
    for _result, _result_label in APPEAL_RESULTS:
        setattr(ReportForm, f"extra_{_group}_{_result}", Number(f"{_group_label}：{_result_label}"))


class CorrectionForm(FlaskForm):
    note = TextAreaField("更正说明", validators=[DataRequired(REQUIRED), Length(max=2000)], render_kw={"rows": 3},
                         description="写明更正了什么、为什么；将与更正后的报告一并公开。")
