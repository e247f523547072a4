"""Forms of the open-day plugin."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateTimeLocalField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from core.plugin_api import choices, REQUIRED, RichTextField


class RegisterForm(FlaskForm):
    name = StringField("姓名", validators=[DataRequired("请填写姓名。"), Length(max=30)])
    phone = StringField("手机号码", validators=[DataRequired("请填写手机号码。"), Length(max=20)],
                        description="用于接收报名结果和候补递补通知。")
    id_number = StringField("居民身份证号码", validators=[Optional(), Length(max=20)],
                            description="本次活动需核验身份；只保存隐去中间数字的号码。")
    group_size = SelectField("参加人数（含本人）", coerce=int, default=1)
    consent = BooleanField("我已阅读并同意上述个人信息保护说明")
    website = StringField("网址（请留空）")  # honeypot

    def data_for(self) -> dict:
        return {"name": self.name.data, "phone": self.phone.data, "id_number": self.id_number.data,
                "group_size": self.group_size.data, "consent": self.consent.data}


class RateForm(FlaskForm):
    rating = RadioField("总体满意度", choices=choices((str(n), f"{n} 星") for n in range(5, 0, -1)),
                        validators=[DataRequired("请选择满意度。")])
    feedback = TextAreaField("意见和建议（可不填）", validators=[Optional(), Length(max=1000)])


class EventForm(FlaskForm):
    title = StringField("活动主题", validators=[DataRequired(REQUIRED), Length(max=200)])
    description_html = RichTextField("活动介绍", validators=[Optional()])
    place = StringField("活动地点", validators=[DataRequired(REQUIRED), Length(max=200)])
    starts_at = DateTimeLocalField("开始时间", validators=[DataRequired(REQUIRED)])
    ends_at = DateTimeLocalField("结束时间", validators=[DataRequired(REQUIRED)])
    registration_opens_at = DateTimeLocalField("报名开始", validators=[DataRequired(REQUIRED)])
    registration_closes_at = DateTimeLocalField("报名截止", validators=[DataRequired(REQUIRED)])
    cancel_deadline = DateTimeLocalField("取消报名截止（默认同报名截止）", validators=[Optional()])
    places = IntegerField("名额（人）", validators=[DataRequired(REQUIRED), NumberRange(1, 100000, "名额应在 1 到 100000 之间。")])
    max_group_size = IntegerField("每人可报名人数（含本人）", default=1,
                                  validators=[DataRequired(REQUIRED), NumberRange(1, 10, "应在 1 到 10 之间。")])
    require_id_number = BooleanField("需要登记身份证号码（只保存隐去中间数字的号码）")
    waitlist_enabled = BooleanField("名额满后接受候补", default=True)
    notes = TextAreaField("参观须知", validators=[Optional(), Length(max=5000)],
                          description="例如：携带身份证、着装、交通、无障碍通道。")

    def event_data(self) -> dict:
        return {k: getattr(self, k).data for k in ("title", "description_html", "place", "starts_at", "ends_at",
                                                   "registration_opens_at", "registration_closes_at", "cancel_deadline",
                                                   "places", "max_group_size", "require_id_number", "waitlist_enabled",
                                                   "notes")}


class CancelEventForm(FlaskForm):
    reason = TextAreaField("取消原因（将通知每位报名者）", validators=[Optional(), Length(max=1000)])


class CheckInForm(FlaskForm):
    code = StringField("报名码", validators=[DataRequired("请输入或扫描报名码。"), Length(max=20)])


class ReviewForm(FlaskForm):
    review_html = RichTextField("活动回顾", validators=[Optional()])
    photos = MultipleFileField("现场照片（JPG、PNG）")
