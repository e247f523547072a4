"""Forms of logging in and of users and grants."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from core.forms import REQUIRED


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(REQUIRED), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired(REQUIRED), Length(max=256)])


class TotpForm(FlaskForm):
    code = StringField("动态验证码（6 位数字）或恢复码", validators=[DataRequired(REQUIRED), Length(max=16)],
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "characters"})


class TotpSetupForm(FlaskForm):
    enrol_code = StringField("绑定码（安全管理员提供，如 ABCD-EFGH-JKMN）", validators=[DataRequired(REQUIRED), Length(max=20)],
                             render_kw={"autocomplete": "off", "autocapitalize": "characters"})
    code = StringField("动态验证码（6 位数字）", validators=[DataRequired(REQUIRED), Length(max=16)],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"})


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
