"""The standard catalog's vocabulary and shipped data: domains, channels, levels, time-limit rules.

Everything here is pure (no database): the importer, the admin forms, the seeding and the
supervision all use the same lists and the same parsers.
"""
from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

# libyaml's loader when PyYAML was built with it (several times faster), else the pure-Python one.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

DATA = Path(__file__).parent / "data"

CHANNELS = ("政府网站", "政府公报", "两微一端", "发布会/听证会", "广播电视", "纸质媒体", "公开查阅点",
            "政务服务中心", "便民服务站", "入户/现场", "公示栏", "精准推送", "其他")
# Spellings seen in real spreadsheets → the standard channel.
CHANNEL_ALIASES = {
    "社区/企事业单位/村公示栏(电子屏)": "公示栏", "社区/企事业单位/村公示栏（电子屏）": "公示栏", "村公示栏": "公示栏",
    "公开栏": "公示栏", "信息公示栏": "公示栏", "村(居)务公开栏": "公示栏", "发布会听证会": "发布会/听证会",
    "入户现场": "入户/现场", "便民服务点": "便民服务站", "政务服务大厅": "政务服务中心", "新闻发布会": "发布会/听证会",
    "微信公众号": "两微一端", "政务新媒体": "两微一端", "广播": "广播电视", "电视": "广播电视", "报纸": "纸质媒体",
}
LEVELS = ("县级", "乡级", "村级")
METHODS = ("主动", "依申请")
AUDIENCES = ("全社会", "特定群体")
BASIS_TYPES = ("法律", "法规", "规章", "规范性文件")
DEFAULT_TIME_LIMIT = "信息形成或者变更之日起20个工作日内"

RULE_KINDS = {
    "after_change": "信息形成或变更后限期公开",
    "yearly": "每年定期公开",
    "quarterly": "每季度定期公开",
    "monthly": "每月定期公开",
    "immediate": "事项发生后即时公开",
    "none": "无固定时限",
}
# When a periodic item's record is due, counted in working days from the start of its period.
DEFAULT_PERIOD_DUE = {"monthly": 10, "quarterly": 15}


DOMAIN_KINDS = {"pilot": "试点领域", "statutory": "法定主动公开内容", "village": "村（居）务公开", "custom": "本县新增领域"}


@dataclass(frozen=True)
class Domain:
    code: str
    name: str
    kind: str              # DOMAIN_KINDS: "pilot" (26 pilot domains), "statutory" (条例 第二十条、第二十一条
                           # and the 公开制度), "village" (村务 categories), "custom" (a district's own)
    reaches_town: bool
    lead: tuple[str, ...]
    levels: tuple[str, ...] = ()    # the levels whose tenants publish under it
    article: str = ""               # statutory: the 条例's article and item (第二十条第（七）项)
    active: bool = True             # custom: a disabled domain is no longer offered nor counted

    @property
    def label(self) -> str:
        return f"{self.name}领域" if self.kind == "pilot" else self.name

    def reaches(self, level: str) -> bool:
        return level in self.levels


@lru_cache(maxsize=1)
def _domains_file() -> dict:
    # bandit B506 reviewed: YAML_LOADER is a SafeLoader
    return yaml.load((DATA / "domains.yaml").read_text(encoding="utf-8"), Loader=YAML_LOADER)  # nosec B506


@lru_cache(maxsize=1)
def domains() -> dict[str, Domain]:
    """The shipped standards' domains (pure, cached): the 26 pilot domains, the statutory ones and the
    village categories. A tenant's own list (with its district's custom domains) is
    services.domains_for(tenant)."""
    data = _domains_file()
    out = {d["code"]: Domain(d["code"], d["name"], "pilot", bool(d["town"]), tuple(d.get("lead", ())),
                             ("县级", "乡级") if d["town"] else ("县级",))
           for d in data["pilot"]}
    out.update({d["code"]: Domain(d["code"], d["name"], "statutory", "乡级" in d["levels"], tuple(d.get("lead", ())),
                                  tuple(in_order(d["levels"], LEVELS)), d.get("article", ""))
                for d in data.get("statutory", [])})
    out.update({d["code"]: Domain(d["code"], d["name"], "village", False, (), ("村级",)) for d in data["village"]})
    return out


def domains_version() -> str:
    return str(_domains_file()["version"])


def aliases() -> dict[str, str]:
    """Names real catalogs use for a shipped domain → its code (乡村振兴 → 26)."""
    return {str(name): str(code) for name, code in (_domains_file().get("aliases") or {}).items()}


def domain_by_name(text: str, extra: dict[str, Domain] | None = None) -> Domain | None:
    """The domain whose name appears in `text` (a sheet title such as 义务教育领域基层政务公开标准目录).

    `extra`: a district's custom domains (services.domains_for). A domain name found in the text wins
    over an alias (the longest name first, a custom one on a tie); only when none is found, an alias
    found in the text names the shipped domain it stands for (乡村振兴 → 扶贫)."""
    text = normalise_key(text)
    known = list(domains().values()) + [d for d in (extra or {}).values() if d.kind == "custom" and d.active]
    matches = [d for d in known if normalise_key(d.name) in text]
    if matches:
        return max(matches, key=lambda d: (len(d.name), d.kind == "custom"))
    found = [(name, code) for name, code in aliases().items() if normalise_key(name) in text]
    if found:
        return domains()[max(found, key=lambda pair: len(pair[0]))[1]]
    return None


def levels_for_kind(kind: str) -> str:
    return {"district": "县级", "town": "乡级", "village": "村级"}[kind]


# --- text normalisation and parsers -----------------------------------------------------------

_FULL_TO_HALF = str.maketrans({"（": "(", "）": ")", "，": ",", "：": ":", "；": ";", "　": " "})


def in_order(values, vocabulary) -> list[str]:
    """Choices in the standard's order, so the same set always reads (and compares) the same."""
    chosen = set(values or [])
    return [v for v in vocabulary if v in chosen] + sorted(chosen - set(vocabulary))


def normalise_text(value) -> str:
    """Trim, collapse whitespace and line breaks (cells are full of them)."""
    if value is None:
        return ""
    return re.sub(r"\s+", " ", str(value)).strip()


def normalise_key(value) -> str:
    """For comparing labels: half-width brackets, no spaces."""
    return re.sub(r"\s+", "", normalise_text(value).translate(_FULL_TO_HALF))


def parse_time_limit(text: str | None) -> dict:
    """The structured deadline a time-limit text describes.

    信息形成或者变更之日起20个工作日内 → after_change 20; 按月公开，每次公开时间不少于7个工作日 →
    monthly, displayed ≥ 7; 事项发生之日起3个工作日内公开 → immediate 3; 每年初公开一次 → yearly by 1-31.
    """
    text = normalise_key(text or "")
    rule: dict = {"kind": "none"}
    display = re.search(r"不少于(\d+)个工作日", text)
    if re.search(r"按月|每月", text):
        rule = {"kind": "monthly", "due_workdays": DEFAULT_PERIOD_DUE["monthly"]}
        day = re.search(r"每月(\d+)日前", text)
        if day and 1 <= int(day.group(1)) <= 31:
            rule["due_day"] = int(day.group(1))
    elif re.search(r"按季度?|每季度?", text):
        rule = {"kind": "quarterly", "due_workdays": DEFAULT_PERIOD_DUE["quarterly"]}
        after = re.search(r"季度结束后(\d+)个工作日", text)
        if after:
            rule["due_workdays"] = int(after.group(1))
    elif re.search(r"每年|按年度?|年初", text):
        rule = {"kind": "yearly", "month": 1, "day": 31}
        by = re.search(r"(\d+)月(\d+)日前", text)
        if by and 1 <= int(by.group(1)) <= 12 and 1 <= int(by.group(2)) <= monthrange(2024, int(by.group(1)))[1]:
            rule.update(month=int(by.group(1)), day=int(by.group(2)))
    elif (m := re.search(r"(?:形成|变更|批复|确定|作出决定|决定)[^\d]{0,12}?(\d+)个?工作日内", text)) and not re.search(r"发生|审核确认后|发放后|审批后", text[:m.start()]):
        rule = {"kind": "after_change", "days": int(m.group(1))}
    elif m := re.search(r"(?:发生|审批后|发放后|审核确认后|之日起)[^\d]{0,12}?(\d+)个?工作日内", text):
        rule = {"kind": "immediate", "days": int(m.group(1))}
    elif m := re.search(r"(\d+)个工作日内", text):
        rule = {"kind": "after_change", "days": int(m.group(1))}
    if display:
        rule["display_workdays"] = int(display.group(1))
    return rule


def describe_rule(rule: dict) -> str:
    kind = rule.get("kind", "none")
    if kind == "after_change":
        text = f"信息形成或变更之日起 {rule['days']} 个工作日内"
    elif kind == "immediate":
        text = f"事项发生之日起 {rule['days']} 个工作日内"
    elif kind == "monthly":
        text = f"每月第 {rule.get('due_workdays', 10)} 个工作日前" if "due_day" not in rule else f"每月 {rule['due_day']} 日前"
    elif kind == "quarterly":
        text = f"每季度第 {rule.get('due_workdays', 15)} 个工作日前"
    elif kind == "yearly":
        text = f"每年 {rule.get('month', 1)} 月 {rule.get('day', 31)} 日前"
    else:
        text = RULE_KINDS["none"]
    if rule.get("display_workdays"):
        text += f"，公开时间不少于 {rule['display_workdays']} 个工作日"
    return text


_BASIS_RE = re.compile(r"《([^》]+)》(?:[（(]([^）)]*〔\d{4}〕[^）)]*)[）)])?")


def guess_basis_type(title: str) -> str:
    if re.search(r"^中华人民共和国.*法$|法$", title) and "办法" not in title:
        return "法律"
    if title.endswith("条例"):
        return "法规"
    if re.search(r"(规定|办法|细则)$", title) and not re.search(r"通知|意见", title):
        return "规章"
    return "规范性文件"


def parse_basis(text) -> list[dict]:
    """《…》《…》 titles (optionally with a 文号 in brackets) → [{type, title, doc_no}]."""
    if isinstance(text, list):
        text = "".join(text)
    text = normalise_text(text)
    refs = [{"type": guess_basis_type(m.group(1).strip()), "title": m.group(1).strip(), "doc_no": (m.group(2) or "").strip()}
            for m in _BASIS_RE.finditer(text)]
    if not refs and text:
        refs = [{"type": "规范性文件", "title": text.strip("《》"), "doc_no": ""}]
    return refs


def format_basis(refs: list[dict]) -> str:
    return "".join(f"《{r['title']}》" + (f"（{r['doc_no']}）" if r.get("doc_no") else "") for r in refs)


def parse_elements(value) -> list[str]:
    """● bullets (or a list) → content elements."""
    if isinstance(value, list):
        return [normalise_text(v) for v in value if normalise_text(v)]
    text = normalise_text(value)
    parts = re.split(r"[●•·▪]", text)
    return [p.strip(" ；;，,") for p in parts if p.strip(" ；;，,")]


def format_elements(elements: list[str]) -> str:
    return "".join(f"●{e}" for e in elements)


def parse_channels(text) -> tuple[list[str], list[str]]:
    """A ■/□ checklist cell → (chosen standard channels, chosen labels not recognised)."""
    text = normalise_text(text)
    chosen, unknown = [], []
    for mark, label in re.findall(r"([■□☑☐√])\s*([^■□☑☐√]+)", text):
        label = label.strip()
        if mark in "■☑√":
            channel = label if label in CHANNELS else CHANNEL_ALIASES.get(label) or CHANNEL_ALIASES.get(normalise_key(label))
            if channel is None:
                channel = next((c for c in CHANNELS if normalise_key(c) == normalise_key(label)), None)
            (chosen if channel else unknown).append(channel or label)
    return [c for c in CHANNELS if c in chosen], unknown


def format_channels(channels: list[str]) -> str:
    return " ".join(("■" if c in channels else "□") + c for c in CHANNELS)


@lru_cache(maxsize=1)
def standard_catalog() -> dict:
    """The shipped standard catalog: {"version", "domains": {code: [item dicts with defaults]}}."""
    # bandit B506 reviewed: YAML_LOADER is a SafeLoader
    data = yaml.load((DATA / "standard_catalog.yaml").read_text(encoding="utf-8"), Loader=YAML_LOADER)  # nosec B506
    return {"version": str(data["version"]),
            "domains": {str(code): [_with_defaults(i) for i in items] for code, items in data["domains"].items()}}


def _with_defaults(raw: dict) -> dict:
    time_limit = raw.get("time_limit", DEFAULT_TIME_LIMIT if not raw.get("children") else "")
    item = {
        "name": raw["name"],
        "content_elements": parse_elements(raw.get("content", [])),
        "legal_basis": parse_basis(raw.get("basis", [])),
        "time_limit": time_limit,
        "rule": parse_time_limit(time_limit),
        "responsible_body": raw.get("body", ""),
        "methods": [raw.get("method", "主动")],
        # A first-level item with children only groups them: its elements are its children's.
        "channels": in_order(raw.get("channels", [] if raw.get("children") else ["政府网站"]), CHANNELS),
        "audience": raw.get("audience", "全社会"),
        "audience_note": raw.get("audience_note", ""),
        "levels": in_order(raw.get("levels", ["县级"]), LEVELS),
        "children": [_with_defaults(c) for c in raw.get("children", [])],
    }
    if item["children"]:  # a parent item's levels are those of its children
        item["levels"] = [lv for lv in LEVELS if any(lv in c["levels"] for c in item["children"])]
    return item
