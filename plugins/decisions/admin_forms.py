"""The office's forms: a list, an item (with the reason an adjustment of a published list needs),
the approval that publishes a list, a stage, a removal, the year's completion."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length, Optional

from core.plugin_api import choices, REQUIRED
from plugins.decisions.models import DECISION_TYPES, PROCEDURES



def DateText(label: str) -> StringField:
    """A date typed or picked (年-月-日); the service reads it and answers in Chinese next to the field."""
    return StringField(label, validators=[Optional(), Length(max=20)], render_kw={"type": "date"})


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class NewListForm(FlaskForm):
    year = SelectField("年度", coerce=int, validate_choice=False)


class ListForm(FlaskForm):
    intro = TextAreaField("说明（选填）", validators=[Optional(), Length(max=20000)], render_kw={"rows": 4},
                          description="如目录的编制依据、征求意见情况；空一行分段。")


class ItemForm(FlaskForm):
    name = StringField("事项名称", validators=[DataRequired(REQUIRED), Length(max=300)])
    decision_type = SelectField("决策类型", choices=choices([("", "请选择")] + list(DECISION_TYPES)), validate_choice=False)
    unit = StringField("承办单位", validators=[DataRequired(REQUIRED), Length(max=200)])
    due_on = DateText("计划完成时限")
    procedures = MultiCheckboxField("决策程序", choices=choices(PROCEDURES), validate_choice=False,
                                    description="按《重大行政决策程序暂行条例》确定本事项须履行的程序；未选的程序在公开页面不显示。")
    summary = TextAreaField("事项简介（选填）", validators=[Optional(), Length(max=20000)], render_kw={"rows": 4})
    reason = TextAreaField("调整理由", validators=[Optional(), Length(max=2000)], render_kw={"rows": 3},
                           description="目录已发布：增加或调整事项须写明理由，连同日期向社会公开。")

    def item_data(self) -> dict:
        return {"name": self.name.data, "decision_type": self.decision_type.data, "unit": self.unit.data,
                "due_on": self.due_on.data, "procedures": self.procedures.data or [], "summary": self.summary.data}


class PublishForm(FlaskForm):
    approved_by = StringField("批准机关", validators=[DataRequired(REQUIRED), Length(max=200)],
                              description="如“青岚县人民政府”。")
    approval_meeting = StringField("审议通过的会议", validators=[DataRequired(REQUIRED), Length(max=200)],
                                   description="如“县人民政府第 5 次常务会议”。")
    approved_on = DateText("审议通过日期")


class RemoveForm(FlaskForm):
    reason = TextAreaField("调出理由", validators=[DataRequired(REQUIRED), Length(max=2000)], render_kw={"rows": 3},
                           description="将与调整日期一起向社会公开；事项仍留在目录中，显示为“已调整”。")


class StageForm(FlaskForm):
    happened_on = DateText("日期")
    name = StringField("会议名称", validators=[Optional(), Length(max=200)])
    text = TextAreaField("说明", validators=[Optional(), Length(max=20000)], render_kw={"rows": 6})
    ref = SelectField("文件", validate_choice=False)


class CompletionForm(FlaskForm):
    note = TextAreaField("年度完成情况总体说明（选填）", validators=[Optional(), Length(max=20000)], render_kw={"rows": 4})
