"""The office's forms: registering an application received on paper, each step of its handling,
the answer, the reply letter and its review, delivery, and the office's settings."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from core.plugin_api import choices, REQUIRED
from plugins.applications.models import (ANSWER_LABELS, APPLICANT_LABELS, CHANNEL_LABELS, DELIVERY_LABELS, FORM_LABELS,
                                         ID_TYPE_LABELS, REASONS)

DATE_REQUIRED = "请填写日期（YYYY-MM-DD）。"


def Select(label, **kwargs) -> SelectField:
    """A select whose value the service checks (with its own Chinese message), not WTForms."""
    return SelectField(label, validate_choice=False, **kwargs)


def Day(label, *, required: bool = True, **kwargs) -> DateField:
    """A date, in Chinese when it cannot be read."""
    return DateField(label, validators=[DataRequired(DATE_REQUIRED)] if required else [Optional()],
                     invalid_value_message="日期格式不正确，应为 YYYY-MM-DD。", **kwargs)


class RegisterForm(FlaskForm):
    """An application received by letter, in person, by fax or e-mail (第三十一条)."""
    channel = Select("提交方式", choices=choices((k, v) for k, v in CHANNEL_LABELS.items() if k != "online"))
    received_on = Day("收到申请的日期", required=False,
                            description="当面提交的为提交之日；邮寄的为签收之日（平常信函为与申请人确认之日）；传真、电子邮件的为双方确认之日。"
                                        "尚未确认的可先不填，之后在申请页面确认。")
    applicant_kind = Select("申请人类型", choices=choices(APPLICANT_LABELS.items()))
    name = StringField("姓名或单位名称", validators=[DataRequired(REQUIRED), Length(max=200)])
    id_type = Select("证件类型（公民）", choices=choices([("", "（法人或其他组织不填）")] + list(ID_TYPE_LABELS.items())),
                          validators=[Optional()])
    id_number = StringField("证件号码（公民）", validators=[Optional(), Length(max=40)])
    work_unit = StringField("工作单位（选填）", validators=[Optional(), Length(max=200)])
    org_code = StringField("统一社会信用代码（法人或其他组织）", validators=[Optional(), Length(max=30)])
    legal_rep = StringField("法定代表人或负责人", validators=[Optional(), Length(max=100)])
    contact_name = StringField("联系人", validators=[Optional(), Length(max=100)])
    address = StringField("通信地址", validators=[Optional(), Length(max=300)])
    postcode = StringField("邮政编码", validators=[Optional(), Length(max=10)])
    phone = StringField("联系电话", validators=[Optional(), Length(max=40)])
    email = StringField("电子邮箱", validators=[Optional(), Length(max=200)])
    description = TextAreaField("所需政府信息的名称或内容描述", validators=[DataRequired(REQUIRED), Length(max=5000)])
    doc_ref = StringField("文号或标题（如知道）", validators=[Optional(), Length(max=300)])
    form = Select("所需信息的提供形式", choices=choices(FORM_LABELS.items()))
    delivery = Select("获取信息的方式", choices=choices(DELIVERY_LABELS.items()))

    def application_data(self) -> dict:
        keys = ("channel", "applicant_kind", "name", "id_type", "id_number", "work_unit", "org_code", "legal_rep",
                "contact_name", "address", "postcode", "phone", "email", "description", "doc_ref", "form", "delivery")
        return {key: getattr(self, key).data or "" for key in keys} | {"received_on": self.received_on.data}


class ReceiptForm(FlaskForm):
    received_on = Day("收到申请的日期")


class CorrectionForm(FlaskForm):
    correction_note = TextAreaField("需要补正的事项", validators=[DataRequired(REQUIRED), Length(max=2000)],
                                    description="一次性告知申请人需要补正的事项（《政府信息公开条例》第三十条）。")
    correction_deadline = Day("补正期限")


class CorrectedForm(FlaskForm):
    corrected_on = Day("收到补正的日期")


class ThirdPartyStartForm(FlaskForm):
    third_party_from = Day("发出征求意见书的日期")


class ThirdPartyEndForm(FlaskForm):
    third_party_until = Day("收到第三方意见的日期",
                                  description="第三方逾期未提出意见的，填写征求意见期限届满之日。")


class ExtendForm(FlaskForm):
    days = StringField("延长的工作日数", validators=[DataRequired("请填写延长的工作日数。"), Length(max=4)],
                       render_kw={"inputmode": "numeric"},
                        description="只能延长一次，最长 20 个工作日（《政府信息公开条例》第三十三条第二款）。")
    reason = TextAreaField("延长的理由", validators=[DataRequired(REQUIRED), Length(max=2000)])
    approved_by = StringField("同意延长的负责人", validators=[DataRequired(REQUIRED), Length(max=100)])


def _reason_choices() -> list[SelectChoice]:
    """One select without JavaScript: a group of reasons per answer type (部分公开 uses those of 不予公开)."""
    options = [SelectChoice("", "（予以公开的不需要选择）")]
    for answer, reasons in REASONS.items():
        if answer == "partial":
            continue
        group = "不予公开／部分公开（不公开部分）的理由" if answer == "withhold" else f"{ANSWER_LABELS[answer]}的理由"
        options += [SelectChoice(f"{answer}:{key}", label, optgroup=group) for key, label in reasons.items()]
    return options


class AnswerForm(FlaskForm):
    answer = Select("答复类型", choices=choices([("", "（请选择）")] + list(ANSWER_LABELS.items())),
                         validators=[DataRequired("请从规定的答复类型中选择。")])
    answer_reason = Select("具体理由", choices=_reason_choices(), validators=[Optional()],
                                description="选择与答复类型对应分组中的理由；予以公开的不选。")
    answer_basis = TextAreaField("法律依据", validators=[Optional(), Length(max=2000)],
                                 description="例如：《中华人民共和国政府信息公开条例》第十五条。予以公开以外的答复必须填写。")
    answer_explanation = TextAreaField("不予公开的内容和理由说明", validators=[Optional(), Length(max=5000)],
                                       description="部分公开、不予公开的，写明不予公开的部分。")

    def answer_data(self) -> dict:
        answer = self.answer.data or ""
        group, _, key = (self.answer_reason.data or "").partition(":")
        fits = group == answer or (answer == "partial" and group == "withhold")
        return {"answer": answer, "answer_reason": key if fits else "",
                "answer_basis": self.answer_basis.data or "", "answer_explanation": self.answer_explanation.data or ""}


class LetterForm(FlaskForm):
    body = TextAreaField("答复告知书正文", validators=[DataRequired(REQUIRED), Length(max=20000)],
                         description="每段一行。文号、落款机关和日期在签发时自动加上。", render_kw={"rows": 18})
    files = MultipleFileField("提供的政府信息（附件）")


class ReturnForm(FlaskForm):
    note = TextAreaField("退回原因", validators=[DataRequired("请写明退回修改的原因。"), Length(max=2000)])


class DeliveryForm(FlaskForm):
    delivered_by = Select("送达方式", choices=choices(DELIVERY_LABELS.items()))
    delivered_on = Day("送达日期")


class SettingsForm(FlaskForm):
    office_name = StringField("答复机关（落款）", validators=[DataRequired(REQUIRED), Length(max=200)],
                              description="例如：白水镇人民政府。")
    reconsideration_body = StringField("行政复议机关", validators=[Optional(), Length(max=200)],
                                       description="答复告知书中告知的行政复议机关，例如：青岚县人民政府。不填时，乡镇默认为上一级人民政府。")
    court = StringField("行政诉讼管辖法院", validators=[Optional(), Length(max=200)],
                        description="例如：青岚县人民法院。不填时，乡镇默认为所在县（区）人民法院。")
    doc_no_prefix = StringField("文号前缀（机关代字）", validators=[Optional(), Length(max=50)],
                                description="例如：白政依复。签发时自动编为“白政依复〔2026〕1号”，每年从 1 号起。不填时按单位名称自动生成。")
