"""Forms of the opinions plugin: the public comment form and the editors' forms."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from core.plugin_api import choices, REQUIRED, RichTextField, WordImportField
from plugins.opinions.models import DISPOSITION_LABELS, KIND_LABELS, OFFLINE_SOURCES, PERIOD_UNITS, SOURCE_LABELS


class CommentForm(FlaskForm):
    article_id = SelectField("针对的条款", validators=[Optional()])
    content = TextAreaField("意见内容", validators=[DataRequired("请填写意见内容。"), Length(max=2000)],
                            description="请写明修改建议和理由，不超过 2000 字。")
    author_name = StringField("姓名（可不填）", validators=[Optional(), Length(max=50)])
    contact = StringField("手机、固定电话或电子邮箱", validators=[Optional(), Length(max=100)])
    consent = BooleanField("我已阅读并同意上述个人信息保护说明")
    website = StringField("网址（请留空）")  # honeypot

    def comment_data(self) -> dict:
        return {"article_id": self.article_id.data or None, "content": self.content.data,
                "author_name": self.author_name.data or "", "contact": self.contact.data or "",
                "consent": self.consent.data}


class TrackForm(FlaskForm):
    code = StringField("查询码", validators=[DataRequired(REQUIRED), Length(max=20)])


class ConsultationForm(FlaskForm):
    title = StringField("标题", validators=[DataRequired(REQUIRED), Length(max=200)],
                        description="例如：白水镇集贸市场改造提升方案（征求意见稿）")
    summary = TextAreaField("简要说明", validators=[Optional(), Length(max=2000)])
    draft_html = RichTextField("征求意见稿正文", validators=[DataRequired(REQUIRED)],
                               description="按“第一条”“第二条”分条书写时，公众可以针对某一条提意见；否则按段落编号。")
    word = WordImportField("从 Word 文档导入征求意见稿", fills="标题")
    explanation_html = RichTextField("起草说明", validators=[Optional()])
    responsible_unit = StringField("承办单位", validators=[Optional(), Length(max=200)])
    offline_channels = TextAreaField("其他提交方式", validators=[Optional(), Length(max=2000)],
                                     description="来信地址、电话、电子邮箱、座谈会安排等。")
    kind = SelectField("征求意见的事项类别", choices=choices(KIND_LABELS.items()), default="other",
                       description="类别决定最短征集期限（开始当日不计入）：重大行政决策一般不少于 30 日，"
                                   "行政规范性文件一般不少于 7 个工作日，其他按本单位设定。发布后不能再改。")
    starts_on = DateField("开始日期", validators=[DataRequired(REQUIRED)])
    ends_on = DateField("截止日期", validators=[DataRequired(REQUIRED)])
    short_period_reason = TextAreaField("缩短期限的理由", validators=[Optional(), Length(max=2000)],
                                        description="征集期限短于所选类别的最短期限时必须填写；理由将在征集页面上向社会公开。")
    moderation = SelectField("意见公开方式", choices=choices([("review", "先审核后公开"), ("immediate", "提交后即时公开")]))
    contact_required = BooleanField("要求提交人留下联系方式")
    files = MultipleFileField("附件")

    def consultation_data(self) -> dict:
        return {k: getattr(self, k).data for k in ("title", "summary", "draft_html", "explanation_html",
                                                   "responsible_unit", "offline_channels", "kind", "starts_on", "ends_on",
                                                   "short_period_reason", "moderation", "contact_required")}


class SettingsForm(FlaskForm):
    other_min_period = IntegerField("“其他”类意见征集的最短期限", validators=[InputRequired(REQUIRED)],
                                    description="重大行政决策和行政规范性文件的最短期限由法规规定，不能在这里修改。")
    other_period_unit = SelectField("单位", choices=choices(PERIOD_UNITS.items()))


class ExtendForm(FlaskForm):
    ends_on = DateField("新的截止日期", validators=[DataRequired(REQUIRED)])
    reason = TextAreaField("延期理由（向社会公开）", validators=[Optional(), Length(max=2000)])


class OfflineForm(FlaskForm):
    source = SelectField("来源", choices=choices((s, SOURCE_LABELS[s]) for s in OFFLINE_SOURCES))
    received_on = DateField("收到日期", validators=[Optional()])
    article_id = SelectField("针对的条款", validators=[Optional()])
    author_name = StringField("提出人（可不填）", validators=[Optional(), Length(max=50)])
    contact = StringField("联系方式（可不填）", validators=[Optional(), Length(max=100)])
    content = TextAreaField("意见内容", validators=[DataRequired(REQUIRED), Length(max=2000)])


class ModerateForm(FlaskForm):
    action = SelectField("处理", choices=choices([("publish", "公开"), ("hide", "不公开"), ("duplicate", "重复意见")]))
    reason = StringField("理由", validators=[Optional(), Length(max=500)])
    duplicate_of = StringField("重复于（原意见编号）", validators=[Optional(), Length(max=12)])


class DispositionForm(FlaskForm):
    disposition = SelectField("处理结果", choices=choices([("", "请选择")] + list(DISPOSITION_LABELS.items())))
    reason = TextAreaField("理由", validators=[Optional(), Length(max=5000)],
                           description="部分采纳、不予采纳必须说明理由。")


class GroupForm(DispositionForm):
    title = StringField("这组意见的概要", validators=[Optional(), Length(max=200)])
    comment_ids = SelectMultipleField("包含的意见", coerce=int, validate_choice=False)


class FeedbackForm(FlaskForm):
    intro = TextAreaField("反馈说明（可选）", validators=[Optional(), Length(max=5000)],
                          description="例如：征求意见的总体情况、主要修改内容。")
