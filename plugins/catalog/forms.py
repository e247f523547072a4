"""Editors' forms for catalog items and records."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (BooleanField, DateField, RadioField, SelectField, SelectMultipleField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.plugin_api import choices, REQUIRED, RichTextField, WordImportField
from plugins.catalog import standard


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ItemForm(FlaskForm):
    domain_code = SelectField("领域（类别）", validators=[DataRequired(REQUIRED)])
    name = StringField("事项名称", validators=[DataRequired(REQUIRED), Length(max=200)])
    content_elements = TextAreaField("公开内容（要素）", validators=[Optional(), Length(max=5000)],
                                     description="每行一项。")
    legal_basis = TextAreaField("公开依据", validators=[Optional(), Length(max=5000)],
                                description="每行一条，格式：类型：《标题》（文号），例如 法律：《中华人民共和国义务教育法》。类型可省略，将自动判断。")
    time_limit = StringField("公开时限", validators=[Optional(), Length(max=300)],
                             description="例如：信息形成或者变更之日起20个工作日内；按月公开，每次公开时间不少于7个工作日。")
    responsible_body = StringField("公开主体", validators=[Optional(), Length(max=200)])
    methods = MultiCheckboxField("公开方式", choices=choices((m, m) for m in standard.METHODS))
    channels = MultiCheckboxField("公开渠道和载体", choices=choices((c, c) for c in standard.CHANNELS))
    audience = RadioField("公开对象", choices=choices((a, a) for a in standard.AUDIENCES), default="全社会")
    audience_note = StringField("特定群体说明", validators=[Optional(), Length(max=200)])
    levels = MultiCheckboxField("公开层级", choices=choices((lv, lv) for lv in standard.LEVELS))

    def item_data(self) -> dict:
        return {
            "domain_code": self.domain_code.data, "name": self.name.data,
            "content_elements": [line.strip() for line in (self.content_elements.data or "").splitlines() if line.strip()],
            "legal_basis": parse_basis_lines(self.legal_basis.data or ""),
            "time_limit": self.time_limit.data or "", "responsible_body": (self.responsible_body.data or "").strip(),
            "methods": self.methods.data, "channels": self.channels.data, "audience": self.audience.data,
            "audience_note": (self.audience_note.data or "").strip() if self.audience.data == "特定群体" else "",
            "levels": self.levels.data,
        }


def parse_basis_lines(text: str) -> list[dict]:
    refs = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        m = re.match(r"^(法律|法规|规章|规范性文件)\s*[:：]\s*(.*)$", line)
        kind, rest = (m.group(1), m.group(2)) if m else (None, line)
        for ref in standard.parse_basis(rest if "《" in rest else f"《{rest}》"):
            refs.append({**ref, "type": kind or ref["type"]})
    return refs


def format_basis_lines(refs: list[dict]) -> str:
    return "\n".join(f"{r['type']}：《{r['title']}》" + (f"（{r['doc_no']}）" if r.get("doc_no") else "") for r in refs)


class ApplicabilityForm(FlaskForm):
    reason = TextAreaField("不适用的理由", validators=[Optional(), Length(max=1000)])


class RecordForm(FlaskForm):
    item_id = SelectField("公开事项", coerce=int, validators=[DataRequired("请选择公开事项。")])
    title = StringField("标题", validators=[DataRequired(REQUIRED), Length(max=300)])
    doc_no = StringField("文号", validators=[Optional(), Length(max=100)], description="例如：白政发〔2026〕12号")
    issuing_body = StringField("发布机构", validators=[Optional(), Length(max=200)])
    written_date = DateField("成文日期", validators=[Optional()], description="信息形成（或事项发生）的日期，时限从这一天起算。")
    effective_date = DateField("生效日期", validators=[Optional()])
    expiry_date = DateField("失效日期", validators=[Optional()])
    summary = TextAreaField("摘要", validators=[Optional(), Length(max=2000)])
    body = RichTextField("正文", validators=[Optional(), Length(max=500000)],
                         description="可使用标题、段落、列表、表格、链接和附件中的图片；字体、颜色和脚本会被自动去除。")
    word = WordImportField()
    doc_type = SelectField("文件类型", choices=choices([("", "其他"), ("normative", "行政规范性文件"), ("rule", "规章")]),
                           default="", validate_choice=False,
                           description="用于政府信息公开工作年度报告“主动公开政府信息情况”的统计：规章、行政规范性文件分别计数。")
    disclosure = SelectField("公开属性", choices=choices([("proactive", "主动公开"), ("on_request", "依申请公开"),
                                                       ("withheld", "不予公开")]), default="proactive")
    disclosure_reason = TextAreaField("不公开的法定理由", validators=[Optional(), Length(max=2000)],
                                      description="依申请公开或不予公开时必填，例如：《中华人民共和国政府信息公开条例》第十四条。")
    files = MultipleFileField("上传附件")
    needs_interpretation = BooleanField("需要同步发布政策解读",
                                        description="行政规范性文件总是需要；其他政策文件勾选后，在解读发布前显示“待解读”并计入时效监督。")
    interp_form = SelectField("政策解读形式", choices=choices([("", "（不是政策解读）"), ("text", "文字解读"), ("graphic", "图解"),
                                                        ("qa", "问答"), ("media", "音视频"), ("press", "媒体解读")]),
                              default="", validate_choice=False,
                              description="这条信息是对其他文件的解读时选择。图解须上传图片，并在正文中插入每张图片、填写图片说明。")
    interp_url = StringField("音视频或媒体解读链接", validators=[Optional(), Length(max=500)],
                             description="以 http:// 或 https:// 开头。")
    interp_by_kind = SelectField("解读人", choices=choices([("", "（未填写）"), ("department", "起草部门"), ("leader", "负责人"),
                                                        ("expert", "专家")]), default="", validate_choice=False)
    interp_by_name = StringField("解读人名称", validators=[Optional(), Length(max=100)], description="部门名称或姓名、职务。")
    doc_q = StringField("查找所解读的文件", validators=[Optional(), Length(max=100)], description="输入文号或标题关键词后点“查找”。")

    def record_data(self) -> dict:
        return {"item_id": self.item_id.data, "title": self.title.data, "doc_no": self.doc_no.data or "",
                "issuing_body": self.issuing_body.data or "", "written_date": self.written_date.data,
                "effective_date": self.effective_date.data, "expiry_date": self.expiry_date.data,
                "summary": self.summary.data or "", "body": self.body.data or "", "disclosure": self.disclosure.data,
                "doc_type": self.doc_type.data or "",
                "disclosure_reason": self.disclosure_reason.data or "",
                "needs_interpretation": bool(self.needs_interpretation.data), "interp_form": self.interp_form.data or "",
                "interp_url": self.interp_url.data or "", "interp_by_kind": self.interp_by_kind.data or "",
                "interp_by_name": self.interp_by_name.data or ""}


class PublishForm(FlaskForm):
    review_confirmed = BooleanField("已完成保密审查，确认可以公开")
    with_interpretations = BooleanField("同时审核通过其解读")


class ReturnForm(FlaskForm):
    note = TextAreaField("退回原因", validators=[Optional(), Length(max=2000)])


class ValidityForm(FlaskForm):
    validity = SelectField("时效", choices=choices([("valid", "有效"), ("expired", "失效"), ("repealed", "废止")]))
    validity_date = DateField("自何日起", validators=[Optional()])
    superseded_by = SelectField("替代文件（可选）", coerce=int, validators=[Optional()])


class ImportForm(FlaskForm):
    file = FileField("目录文件（.xlsx）")
    domain_code = SelectField("领域（无法从标题判断时使用）", validators=[Optional()])


class SettingsForm(FlaskForm):
    self_publish = BooleanField("允许编辑不经第二人审核直接发布（适用于只有一名工作人员的村、社区）")


class CustomDomainForm(FlaskForm):
    name = StringField("领域名称", validators=[DataRequired(REQUIRED), Length(max=100)],
                       description="例如：乡村振兴、“十四五”规划、民生实事。不能与标准目录中的领域同名。")
    levels = MultiCheckboxField("适用层级", choices=choices((lv, lv) for lv in standard.LEVELS),
                                description="选择乡级的领域下发到各乡镇（街道），选择村级的下发到各村（社区）。")
    lead = TextAreaField("牵头部门", validators=[Optional(), Length(max=2000)], description="每行一个。")
    items = TextAreaField("新增事项", validators=[Optional(), Length(max=5000)],
                          description="每行一个事项名称。保存后下发到适用层级的各单位；公开时限默认为信息形成或者变更之日起"
                                      "20个工作日内，内容要素、依据等可由编辑人员在“事项”中补充。")

    def item_names(self) -> list[str]:
        return [line.strip() for line in (self.items.data or "").splitlines() if line.strip()]

    def domain_data(self) -> dict:
        return {"name": self.name.data or "", "levels": self.levels.data or [],
                "lead": [line.strip() for line in (self.lead.data or "").splitlines() if line.strip()]}
