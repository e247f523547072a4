"""The one HTML sanitizing policy: an allow-list fit for government documents, applied on save.

Headings, paragraphs, lists, tables, links (http, https, mailto, or relative) and images served
from our own attachments are kept. Script, style, iframe, object, svg, math, form controls and
their content are dropped whole; every other unknown tag is stripped to its text; event handler
and style attributes never survive.
"""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import bleach
from bleach.html5lib_shim import BleachHTMLParser, getTreeWalker
from markupsafe import Markup, escape

ALLOWED_TAGS = frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "div", "span",
    "strong", "b", "em", "i", "u", "s", "sub", "sup", "small", "mark",
    "blockquote", "pre", "code", "abbr",
    "ul", "ol", "li", "dl", "dt", "dd",
    "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
    "a", "img", "figure", "figcaption",
})
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
# Elements whose content is never text worth keeping: dropped with everything inside them.
DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript",
    "noembed", "noframes", "template", "svg", "math", "textarea", "select", "option", "button",
    "form", "input", "xmp", "plaintext", "title", "head", "meta", "link", "base",
})
# Images only from our own attachment URLs: /<tenant path>/files/<32 hex>[/<name>]
OWN_ATTACHMENT_SRC = re.compile(r"^/[a-z0-9/-]+/files/[0-9a-f]{32}(/[^/?#\s]*)?$")


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if tag == "a":
        return name in {"href", "title"}
    if tag == "img":
        if name == "src":
            return bool(OWN_ATTACHMENT_SRC.match(value)) and urlsplit(value).scheme == ""
        return name in {"alt", "title", "width", "height"}
    if tag in {"td", "th"}:
        return name in {"colspan", "rowspan", "scope"}
    if tag == "ol":
        return name in {"start", "type"}
    if tag in {"col", "colgroup"}:
        return name == "span"
    if tag == "abbr":
        return name == "title"
    return False


def _local_name(tag) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _drop_subtrees(element) -> None:
    """Remove dropped elements with their content, keeping the text that follows each one."""
    children = list(element)
    previous = None
    for child in children:
        if _local_name(child.tag) in DROPPED_WITH_CONTENT:
            tail = child.tail or ""
            if previous is not None:
                previous.tail = (previous.tail or "") + tail
            else:
                element.text = (element.text or "") + tail
            element.remove(child)
        else:
            _drop_subtrees(child)
            previous = child


_base_walker = getTreeWalker("etree")


def _walker(dom):
    _drop_subtrees(dom)
    return _base_walker(dom)


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allowed_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)
# The parser must keep the dropped elements as elements (bleach's own parser would already have
# reduced them to their text), so that the walker can remove them with their content.
_cleaner.parser = BleachHTMLParser(
    tags=ALLOWED_TAGS | DROPPED_WITH_CONTENT, strip=True, consume_entities=True, namespaceHTMLElements=False
)
_cleaner.walker = _walker


def clean_html(html: str | None) -> str:
    """Sanitized HTML for storage; call it on every rich-text field before saving."""
    if not html:
        return ""
    cleaned = _cleaner.clean(html).strip()
    # Where bleach recovers text from a broken tag it keeps entities such as &comma; verbatim, which a
    # second pass turns into the character they stand for. Stored HTML must be a fixed point of the
    # policy (cleaning it again changes nothing), so clean until it is.
    for _ in range(3):
        again = _cleaner.clean(cleaned).strip()
        if again == cleaned:
            return cleaned
        cleaned = again
    return cleaned


def text_to_html(text: str | None) -> Markup:
    """Plain text shown as paragraphs, escaped; links are never created from user text here."""
    if not text:
        return Markup("")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in p.splitlines()))
        for p in paragraphs
    )


def plain_text(html: str | None) -> str:
    """The text of sanitized HTML (for search indexing and summaries): tags dropped and entities
    decoded ("&lt;5元&gt;" is "<5元>"), so it is text, to be escaped wherever it is shown."""
    if not html:
        return ""
    return re.sub(r"\s+", " ", unescape(bleach.clean(html, tags=set(), strip=True))).strip()


def text_with_links(text: str | None) -> Markup:
    """User-typed plain text for display: escaped, paragraphs kept, http(s) links made clickable
    (rel=nofollow). Nothing the user typed can become markup."""
    if not text:
        return Markup("")
    escaped = str(text_to_html(text))
    linked = bleach.linkify(escaped, callbacks=[_nofollow], skip_tags=["pre", "code"], parse_email=False)
    # bandit B704 reviewed: bleach-cleaned, from escaped text
    return Markup(bleach.clean(linked, tags={"p", "br", "a"}, attributes={"a": ["href", "rel"]},  # nosec B704
                               protocols={"http", "https"}, strip=True))


def _nofollow(attrs, new=False):
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs
