"""Forms of the core admin area (Flask-WTF: every form carries a CSRF token)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

REQUIRED = "此项必填。"


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (tuples are deprecated from WTForms 3.3)."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(REQUIRED), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired(REQUIRED), Length(max=256)])


class TotpForm(FlaskForm):
    code = StringField("动态验证码（6 位数字）", validators=[DataRequired(REQUIRED), Length(max=16)],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"})


class TenantSettingsForm(FlaskForm):
    name = StringField("名称", validators=[DataRequired(REQUIRED), Length(max=100)])
    unit_code = StringField("单位代码（用于索引号）", validators=[Optional(), Length(max=32)])
    intro = TextAreaField("简介", validators=[Optional(), Length(max=20000)])
    phone = StringField("联系电话", validators=[Optional(), Length(max=50)])
    address = StringField("地址", validators=[Optional(), Length(max=200)])
    email = StringField("电子邮箱", validators=[Optional(), Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="电子邮箱格式不正确。"), Length(max=120)])
    office_hours = StringField("办公时间", validators=[Optional(), Length(max=100)])
    postcode = StringField("邮编", validators=[Optional(), Length(max=10)])
    host = StringField("绑定域名（仅区县，可选）", validators=[Optional(), Length(max=255)])


class ChildTenantForm(FlaskForm):
    name = StringField("名称", validators=[DataRequired(REQUIRED), Length(max=100)])
    slug = StringField("网址标识（小写字母、数字、连字符）", validators=[DataRequired(REQUIRED), Length(max=40)])
    unit_code = StringField("单位代码", validators=[Optional(), Length(max=32)])


class NewUserForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(REQUIRED), Length(max=64)])
    display_name = StringField("姓名", validators=[Optional(), Length(max=100)])
    password = PasswordField("初始密码", validators=[DataRequired(REQUIRED), Length(max=256)])
    role = SelectField("角色", validators=[DataRequired(REQUIRED)])
    tenant = SelectField("单位", validators=[DataRequired(REQUIRED)])


class GrantForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(REQUIRED), Length(max=64)])
    role = SelectField("角色", validators=[DataRequired(REQUIRED)])
    tenant = SelectField("单位", validators=[DataRequired(REQUIRED)])


class PasswordForm(FlaskForm):
    current = PasswordField("当前密码", validators=[DataRequired(REQUIRED)])
    new = PasswordField("新密码", validators=[DataRequired(REQUIRED), Length(max=256)])
    confirm = PasswordField("再次输入新密码", validators=[DataRequired(REQUIRED)])


class UploadForm(FlaskForm):
    file = FileField("选择文件")
    public = BooleanField("立即公开（否则仅在引用它的内容发布后公开）")


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


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token travels with it."""
