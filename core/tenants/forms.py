"""Forms of a tenant's settings and its child tenants."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from core.forms import REQUIRED


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
    # The footer's identification (区县 only; core.tenants.provisioning.SITE_FIELDS checks the formats).
    sponsor = StringField("主办单位", validators=[Optional(), Length(max=200)])
    organizer = StringField("承办单位", validators=[Optional(), Length(max=200)])
    site_code = StringField("网站标识码", validators=[Optional(), Length(max=20)])
    icp = StringField("ICP备案号", validators=[Optional(), Length(max=60)])
    police_record = StringField("公安机关备案号", validators=[Optional(), Length(max=60)])
    conac_url = StringField("党政机关网站标识链接", validators=[Optional(), Length(max=200)])
    correction_url = StringField("纠错入口链接", validators=[Optional(), Length(max=200)])


class ChildTenantForm(FlaskForm):
    name = StringField("名称", validators=[DataRequired(REQUIRED), Length(max=100)])
    slug = StringField("网址标识（小写字母、数字、连字符）", validators=[DataRequired(REQUIRED), Length(max=40)])
    unit_code = StringField("单位代码", validators=[Optional(), Length(max=32)])
