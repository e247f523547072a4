"""Forms of the working-day calendar."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from core.forms import choices


class CalendarForm(FlaskForm):
    day = DateField("日期", validators=[DataRequired("请选择日期。")])
    kind = SelectField("这一天", choices=choices([("holiday", "休息日（放假）"), ("workday", "工作日（调休上班）")]))
    note = StringField("说明", validators=[Optional(), Length(max=100)], description="例如：春节、国庆节调休")


class CalendarYearForm(FlaskForm):
    arrangement = TextAreaField("全年安排", validators=[DataRequired("请粘贴全年的放假和调休上班日期。"), Length(max=20000)],
                                description="每行一天：日期、“休”（放假）或“班”（调休上班）、说明，例如“2027-02-07 班 春节调休”；"
                                            "# 之后为注释。将替换这一年原有的人工设置。",
                                render_kw={"rows": 12})
    source = StringField("依据", validators=[Optional(), Length(max=200)],
                         description="例如：国务院办公厅关于2027年部分节假日安排的通知")
