// The admin area's rich-text editor: every <textarea data-rich-text> becomes a Tiptap editor
// (ProseMirror underneath) whose HTML is written back into the textarea, so the form posts exactly
// what it posted without JavaScript. The server's sanitizer (core/sanitize.py) stays the only
// authority on what is kept; this editor only offers what that sanitizer allows.
//
// Content Security Policy: no inline script and no inline style. Tiptap's own CSS injection is off
// (editor.css is a static file), tables render without their style attributes, and every element
// this file creates is styled by class.
import { Editor, mergeAttributes } from "@tiptap/core";
import StarterKit from "@tiptap/starter-kit";
import { Table, TableCell, TableHeader, TableRow } from "@tiptap/extension-table";
import Image from "@tiptap/extension-image";
import Subscript from "@tiptap/extension-subscript";
import Superscript from "@tiptap/extension-superscript";

// Images only from the record's own attachments, as the sanitizer requires.
const OWN_ATTACHMENT_SRC = /^\/[a-z0-9/-]+\/files\/[0-9a-f]{32}(\/[^/?#\s]*)?$/;

// Cells keep their spans and nothing else (no widths, no alignment styles).
const cellAttributes = () => ({ colspan: { default: 1 }, rowspan: { default: 1 } });
const PlainTable = Table.extend({
  renderHTML({ HTMLAttributes }) {
    return ["table", mergeAttributes(this.options.HTMLAttributes, HTMLAttributes), ["tbody", 0]];
  },
});
const PlainCell = TableCell.extend({ addAttributes: cellAttributes });
const PlainHeader = TableHeader.extend({ addAttributes: cellAttributes });

// --- paste from Word and WPS ----------------------------------------------------------------
// Word writes list items as paragraphs with an mso-list style and the marker in a span marked
// mso-list:Ignore; WPS does the same. They become real <ul>/<ol> lists before ProseMirror parses
// the HTML (which then drops every style, class and font on its own).
// 1. 1) (1) （1） 1、 一、 （一） a. a) — the numbering of 公文 and of Word's own lists.
const ORDERED_MARKER = /^\s*([(（]?[0-9０-９]+[.)、．）]?|[(（]?[一二三四五六七八九十]+[)、）]|[(（]?[a-zA-Z][.)）])\s*$/;

// Style attributes and <style> elements are removed from the clipboard's HTML as text, before it is
// parsed into a document: parsing them, even in an inert document, is what the page's CSP refuses
// (and reports). The two mso-list facts the lists need are kept as data attributes.
function withoutStyles(html) {
  return html
    .replace(/<style[\s\S]*?<\/style\s*>/gi, "")
    .replace(/\sstyle\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, (whole, quoted) => {
      const value = quoted.replace(/^["']|["']$/g, "");
      if (/mso-list:\s*Ignore/i.test(value)) return ' data-mso-ignore="1"';
      const list = /mso-list:\s*(l\d+)\s+level(\d+)/i.exec(value);
      return list ? ` data-mso-list="${list[1]}" data-mso-level="${list[2]}"` : "";
    });
}

function wordListsToHtmlLists(doc) {
  let list = null;
  let listId = null;
  for (const p of Array.from(doc.body.querySelectorAll("p"))) {
    if (!p.dataset.msoList) { list = null; continue; }
    let marker = "";
    p.querySelectorAll("span[data-mso-ignore]").forEach((span) => { marker += span.textContent; span.remove(); });
    const ordered = ORDERED_MARKER.test(marker.replace(/\u00a0/g, " "));
    const tag = ordered ? "OL" : "UL";
    if (!list || listId !== p.dataset.msoList || list.tagName !== tag || list.nextElementSibling !== p) {
      list = doc.createElement(tag);
      p.parentNode.insertBefore(list, p);
      listId = p.dataset.msoList;
    }
    const item = doc.createElement("li");
    const para = doc.createElement("p");
    while (p.firstChild) para.appendChild(p.firstChild);
    item.appendChild(para);
    list.appendChild(item);
    p.remove();
  }
}

export function cleanPastedHtml(html) {
  const doc = new DOMParser().parseFromString(withoutStyles(html), "text/html");
  doc.querySelectorAll("script, meta, link, xml, title").forEach((el) => el.remove());
  // Office's namespaced tags (o:p, v:shape, w:sdt...) carry nothing worth keeping but their text.
  Array.from(doc.body.getElementsByTagName("*")).forEach((el) => {
    if (el.tagName.includes(":")) el.replaceWith(...el.childNodes);
  });
  doc.querySelectorAll("img").forEach((img) => {
    if (!OWN_ATTACHMENT_SRC.test(img.getAttribute("src") || "")) img.remove();
  });
  wordListsToHtmlLists(doc);
  doc.querySelectorAll("[class], [lang], [data-mso-list], [data-mso-level]").forEach((el) => {
    ["class", "lang", "data-mso-list", "data-mso-level"].forEach((a) => el.removeAttribute(a));
  });
  return doc.body.innerHTML;
}

// --- the toolbar ----------------------------------------------------------------------------
function button(label, title, run, isActive) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "rte-button";
  b.textContent = label;
  b.title = title;
  b.setAttribute("aria-label", title);
  b.run = run;
  b.isActive = isActive;
  if (isActive) b.setAttribute("aria-pressed", "false");
  return b;
}

function group(label, buttons) {
  const g = document.createElement("div");
  g.className = "rte-group";
  g.setAttribute("role", "group");
  g.setAttribute("aria-label", label);
  buttons.forEach((b) => g.appendChild(b));
  return g;
}

// A small form inside the editor (a link's address, an image's choice and alt text), never a
// window.prompt: it is reachable by keyboard, labelled, and says what is wrong in words.
function panel(id, title, fields, onSubmit, onCancel) {
  const box = document.createElement("div");
  box.className = "rte-panel";
  box.hidden = true;
  box.setAttribute("role", "group");
  box.setAttribute("aria-label", title);
  const error = document.createElement("p");
  error.className = "error";
  error.setAttribute("role", "alert");
  error.hidden = true;
  fields.forEach(([name, label, input]) => {
    const row = document.createElement("div");
    row.className = "form-row";
    const l = document.createElement("label");
    input.id = `${id}-${name}`;
    l.htmlFor = input.id;
    l.textContent = label;
    row.append(l, input);
    box.appendChild(row);
  });
  const ok = document.createElement("button");
  ok.type = "button";
  ok.textContent = "确定";
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "secondary";
  cancel.textContent = "取消";
  box.append(error, ok, cancel);
  const fail = (message) => { error.textContent = message; error.hidden = false; };
  ok.addEventListener("click", () => { error.hidden = true; onSubmit(fail); });
  cancel.addEventListener("click", onCancel);
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.tagName === "INPUT") { event.preventDefault(); ok.click(); }
    if (event.key === "Escape") { event.preventDefault(); onCancel(); }
  });
  return box;
}

function imagesOf(textarea) {
  try {
    const list = JSON.parse(textarea.dataset.images || "[]");
    return Array.isArray(list) ? list.filter((i) => OWN_ATTACHMENT_SRC.test(i.url)) : [];
  } catch (e) {
    return [];
  }
}

function mount(textarea) {
  const uid = textarea.id || `rte-${Math.random().toString(36).slice(2)}`;
  const wrapper = document.createElement("div");
  wrapper.className = "rte";
  const toolbar = document.createElement("div");
  toolbar.className = "rte-toolbar";
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", "正文格式");
  const area = document.createElement("div");
  area.className = "rte-area";
  textarea.parentNode.insertBefore(wrapper, textarea);
  wrapper.append(toolbar, area);
  textarea.hidden = true;
  textarea.setAttribute("aria-hidden", "true");
  textarea.tabIndex = -1;

  const label = document.querySelector(`label[for="${textarea.id}"]`);
  const editor = new Editor({
    element: area,
    injectCSS: false,
    content: textarea.value,
    extensions: [
      // Every level and mark the sanitizer keeps, so an old body loses nothing it had (the toolbar
      // offers the usual few).
      StarterKit.configure({
        heading: { levels: [1, 2, 3, 4, 5, 6] },
        link: { openOnClick: false, autolink: true, defaultProtocol: "https",
                HTMLAttributes: { target: null, rel: null },
                protocols: ["http", "https", "mailto"] },
      }),
      PlainTable.configure({ resizable: false }),
      TableRow, PlainHeader, PlainCell,
      Image.configure({ inline: false, allowBase64: false }),
      Subscript, Superscript,
    ],
    editorProps: {
      attributes: {
        class: "rte-content body",
        role: "textbox",
        "aria-multiline": "true",
        "aria-label": label ? label.textContent.trim() : "正文",
        ...(textarea.getAttribute("aria-describedby")
          ? { "aria-describedby": textarea.getAttribute("aria-describedby") } : {}),
      },
      transformPastedHTML: cleanPastedHtml,
    },
  });
  // The textarea is rewritten only once the text is changed here: a body saved untouched (a title
  // corrected, say) goes back exactly as it came, even what this editor cannot show.
  let touched = false;
  const sync = () => { if (touched) textarea.value = editor.isEmpty ? "" : editor.getHTML(); };
  editor.on("update", () => { touched = true; sync(); });
  if (label) label.addEventListener("click", () => editor.commands.focus());

  const chain = () => editor.chain().focus();
  const blocks = [
    button("正文", "正文段落", () => chain().setParagraph().run(), () => editor.isActive("paragraph")),
    button("标题", "二级标题", () => chain().toggleHeading({ level: 2 }).run(), () => editor.isActive("heading", { level: 2 })),
    button("小标题", "三级标题", () => chain().toggleHeading({ level: 3 }).run(), () => editor.isActive("heading", { level: 3 })),
  ];
  const marks = [
    button("粗", "加粗（Ctrl+B）", () => chain().toggleBold().run(), () => editor.isActive("bold")),
    button("斜", "倾斜（Ctrl+I）", () => chain().toggleItalic().run(), () => editor.isActive("italic")),
  ];
  const lists = [
    button("• 列表", "项目符号列表", () => chain().toggleBulletList().run(), () => editor.isActive("bulletList")),
    button("1. 列表", "编号列表", () => chain().toggleOrderedList().run(), () => editor.isActive("orderedList")),
  ];
  const tableButtons = [
    button("插入表格", "插入三行三列的表格（首行为表头）",
      () => chain().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run()),
    button("加一行", "在下方插入一行", () => chain().addRowAfter().run()),
    button("加一列", "在右侧插入一列", () => chain().addColumnAfter().run()),
    button("删行", "删除所在行", () => chain().deleteRow().run()),
    button("删列", "删除所在列", () => chain().deleteColumn().run()),
    button("删表格", "删除整个表格", () => chain().deleteTable().run()),
  ];
  tableButtons.slice(1).forEach((b) => { b.needsTable = true; });

  // Links
  const href = document.createElement("input");
  href.type = "url";
  href.placeholder = "https://";
  const linkPanel = panel(`${uid}-link`, "插入链接", [["href", "链接地址", href]], (fail) => {
    const value = href.value.trim();
    if (!value) { chain().unsetLink().run(); linkPanel.hidden = true; return; }
    if (!/^(https?:\/\/|mailto:|\/)/i.test(value)) { fail("链接地址应以 http://、https://、mailto: 或 / 开头。"); return; }
    chain().extendMarkRange("link").setLink({ href: value }).run();
    linkPanel.hidden = true;
  }, () => { linkPanel.hidden = true; editor.commands.focus(); });
  const linkButton = button("链接", "插入或修改链接", () => {
    href.value = editor.getAttributes("link").href || "";
    linkPanel.hidden = false;
    href.focus();
  }, () => editor.isActive("link"));

  // Images from the record's attachments, alt text required
  const images = imagesOf(textarea);
  const choice = document.createElement("select");
  images.forEach((i) => { const o = document.createElement("option"); o.value = i.url; o.textContent = i.name; choice.appendChild(o); });
  const alt = document.createElement("input");
  alt.type = "text";
  alt.maxLength = 200;
  const imagePanel = panel(`${uid}-image`, "插入图片", [["src", "附件中的图片", choice], ["alt", "图片说明（供读屏软件朗读，必填）", alt]], (fail) => {
    if (!choice.value) { fail("请先在下方上传图片附件并保存，再插入图片。"); return; }
    if (!alt.value.trim()) { fail("请填写图片说明。"); alt.focus(); return; }
    chain().setImage({ src: choice.value, alt: alt.value.trim() }).run();
    alt.value = "";
    imagePanel.hidden = true;
  }, () => { imagePanel.hidden = true; editor.commands.focus(); });
  const imageButton = button("图片", images.length ? "插入附件中的图片" : "插入图片（请先上传图片附件并保存）", () => {
    imagePanel.hidden = false;
    (images.length ? choice : alt).focus();
  });

  const history = [
    button("撤销", "撤销（Ctrl+Z）", () => chain().undo().run()),
    button("重做", "重做（Ctrl+Y）", () => chain().redo().run()),
  ];
  toolbar.append(
    group("段落样式", blocks), group("文字", marks), group("列表", lists),
    group("表格", tableButtons), group("插入", [linkButton, imageButton]), group("历史", history),
  );
  wrapper.insertBefore(linkPanel, area);
  wrapper.insertBefore(imagePanel, area);

  const all = Array.from(toolbar.querySelectorAll("button"));
  all.forEach((b) => b.addEventListener("click", () => b.run()));
  const refresh = () => {
    const inTable = editor.isActive("table");
    all.forEach((b) => {
      if (b.isActive) b.setAttribute("aria-pressed", String(Boolean(b.isActive())));
      if (b.needsTable) b.disabled = !inTable;
    });
    // The toolbar's one tab stop must stay on a button that can take the focus.
    const stop = all.find((b) => b.tabIndex === 0);
    if (stop && stop.disabled) {
      stop.tabIndex = -1;
      all.find((b) => !b.disabled).tabIndex = 0;
    }
  };
  // A toolbar is one tab stop; arrow keys move between its buttons (WAI-ARIA toolbar pattern).
  all.forEach((b, i) => { b.tabIndex = i === 0 ? 0 : -1; });
  editor.on("selectionUpdate", refresh);
  editor.on("transaction", refresh);
  refresh();
  toolbar.addEventListener("keydown", (event) => {
    const enabled = all.filter((b) => !b.disabled);
    const at = enabled.indexOf(document.activeElement);
    if (at < 0) return;
    let next = null;
    if (event.key === "ArrowRight") next = enabled[(at + 1) % enabled.length];
    if (event.key === "ArrowLeft") next = enabled[(at - 1 + enabled.length) % enabled.length];
    if (event.key === "Home") next = enabled[0];
    if (event.key === "End") next = enabled[enabled.length - 1];
    if (next) {
      event.preventDefault();
      all.forEach((b) => { b.tabIndex = -1; });
      next.tabIndex = 0;
      next.focus();
    }
  });
  if (textarea.form) textarea.form.addEventListener("submit", sync);
  textarea.editor = editor;
  wrapper.dataset.ready = "1";
  return editor;
}

function start() {
  document.querySelectorAll("textarea[data-rich-text]").forEach(mount);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
