"""The public's forms: the application in the layout of the national 政府信息公开申请表, and the
status lookup by 查询码 and the phone number's last four digits."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from core.plugin_api import choices, REQUIRED
from plugins.applications.models import APPLICANT_LABELS, DELIVERY_LABELS, FORM_LABELS, ID_TYPE_LABELS, ORG_KINDS

def _most(limit: int) -> Length:
    return Length(max=limit, message=f"不能超过 {limit} 个字。")


# 公民 first, then the five kinds of 法人或其他组织 the annual report counts.
KIND_CHOICES = [("citizen", "公民")] + [(k, f"法人或其他组织：{APPLICANT_LABELS[k]}") for k in ORG_KINDS]


class ApplicationForm(FlaskForm):
    # Choices are checked by services.submit_online, with its own messages next to the field.
    applicant_kind = RadioField("申请人类型", choices=choices(KIND_CHOICES), default="citizen",
                                validate_choice=False)
    # 公民
    name = StringField("姓名", validators=[Optional(), _most(200)])
    id_type = SelectField("证件类型", choices=choices(ID_TYPE_LABELS.items()), default="id_card",
                          validate_choice=False)
    id_number = StringField("证件号码", validators=[Optional(), _most(40)])
    work_unit = StringField("工作单位（可不填）", validators=[Optional(), _most(200)])
    # 法人或其他组织
    org_name = StringField("名称", validators=[Optional(), _most(200)])
    org_code = StringField("统一社会信用代码", validators=[Optional(), _most(30)])
    legal_rep = StringField("法定代表人或者负责人", validators=[Optional(), _most(100)])
    contact_name = StringField("联系人姓名", validators=[Optional(), _most(100)])
    # 联系方式 (both)
    phone = StringField("联系电话", validators=[DataRequired("请填写联系电话。"), _most(40)],
                        description="手机号码或固定电话。查询办理进度时需要核对号码的后四位。")
    email = StringField("电子邮箱", validators=[Optional(), _most(200)])
    address = StringField("通信地址", validators=[Optional(), _most(300)])
    postcode = StringField("邮政编码", validators=[Optional(), _most(10)])
    # 所需政府信息
    description = TextAreaField("所需政府信息的内容描述", validators=[DataRequired(REQUIRED), _most(5000)],
                                description="请写明所需信息的名称、时间、范围或者便于查询的其他特征。")
    doc_ref = StringField("所需信息的文号或标题（知道的话请填写）", validators=[Optional(), _most(300)])
    lookup = StringField("查找已公开的信息", validators=[Optional(), _most(100)],
                         description="输入标题或文号中的词语，查找本机关已经主动公开的信息；已公开的可以直接查看，无需申请。")
    form = RadioField("所需信息的指定提供形式", choices=choices(FORM_LABELS.items()), default="paper",
                      validate_choice=False)
    delivery = RadioField("获取信息的方式", choices=choices(DELIVERY_LABELS.items()), default="post",
                          validate_choice=False)
    consent = BooleanField("我已阅读并同意上述个人信息处理说明")
    website = StringField("网址（请留空）")  # honeypot

    def applicant_is_citizen(self) -> bool:
        return (self.applicant_kind.data or "citizen") == "citizen"

    def application_data(self) -> dict:
        """What services.submit_online reads: one `name`, and only the applicant kind's own fields."""
        citizen = self.applicant_is_citizen()
        data = {"applicant_kind": self.applicant_kind.data or "citizen",
                "name": (self.name.data if citizen else self.org_name.data) or "",
                "id_type": self.id_type.data if citizen else "",
                "id_number": self.id_number.data if citizen else "",
                "work_unit": self.work_unit.data if citizen else "",
                "org_code": "" if citizen else self.org_code.data,
                "legal_rep": "" if citizen else self.legal_rep.data,
                "contact_name": "" if citizen else self.contact_name.data,
                "consent": self.consent.data}
        for key in ("phone", "email", "address", "postcode", "description", "doc_ref", "form", "delivery"):
            data[key] = getattr(self, key).data or ""
        return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}


class StatusForm(FlaskForm):
    code = StringField("查询码", validators=[DataRequired("请填写查询码。"), _most(20)],
                       description="提交申请后获得的查询码，例如 K7QX-2MHP-W9ZD")
    last4 = StringField("联系电话的后四位", validators=[DataRequired("请填写联系电话的后四位数字。"),
                                                    Regexp(r"^\s*[0-9０-９]{4}\s*$", message="请填写 4 位数字。")],
                        description="申请时填写的联系电话的最后四位数字")
