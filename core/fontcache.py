"""TrueType fonts parsed once per process for every PDF the product makes (the gazette's issues,
the catalog's supervision reports), through core/pdf.py.

fpdf2 parses the font file in every `add_font()`: for a CJK face that is the character map,
widths and glyph ids of 20,000 to 50,000 glyphs, about a second for uming.ttc. An issue's PDF is
laid out two or three times (see `pdf.render`), with its fonts each time, and when it is written
fpdf2's output() decodes the glyph outlines and metrics of each font once more to subset it.
That was nearly all of the render time.

`add_font(pdf, family, style, path, index)` does what `pdf.add_font(...)` does, but parses each
face once per process and gives every document its own copy of the parsed font:

- shared and only read: the character map, the glyph ids, the metrics fpdf2 computed;
- the document's own, because fpdf2 changes them while it lays out or writes the document: the
  subset map (the glyphs the document uses, in the order it met them), the missing glyphs, the
  width map (a defaultdict: reading an unknown character adds it), the largest size used, the
  HarfBuzz font, the font descriptor (output() numbers it and hangs the embedded file on it),
  and the fontTools TTFont, which output() subsets in place and then closes.

A document's TTFont (`_DocumentTTFont`) reads lazily from its own read-only memory map of the
file the face was parsed from, so the layout passes read nothing and the bytes read at output are
the ones that were parsed, even if the file has been replaced since. What output() would decode
again comes from the parse instead: the glyph order, the `post` table (as format 3, without
glyph names, which is how fpdf2 embeds it anyway), the horizontal and vertical metrics, and where
each glyph outline lies, an outline being made into a fontTools Glyph only when the subsetter
asks for it (a few hundred of the 20,000 to 50,000; decoding the table makes them all, half a
second per document). Outlines are embedded as they are in the file, their bounding boxes not
recomputed (`recalcBBoxes=False`, the default of fontTools' own subsetter; fpdf2 keeps the
TTFont default, which decodes and re-encodes every embedded outline). The bitmap `BDF ` table
of uming, which the subsetter drops with a warning in the log, is left out beforehand. Text,
widths, outlines and page content are those fpdf2's own add_font() gives: tests/gazette/test_pdf.py
compares them. `core.pdf.warm_fonts` parses the faces at start-up (gunicorn's master, before it
forks the workers), so the first PDF of an installation is no slower than the next.

The first parse of a face happens under a lock (gunicorn threads wait for it rather than parse
it too); copies take no lock. A face whose file changes on disk (size or modification time) is
parsed again. Fonts fpdf2 changes while parsing them (WOFF, variable instances, a drawn-in
.notdef) and colour fonts are not cached: they go through `pdf.add_font()` as before.
"""
from __future__ import annotations

import copy
import mmap
import os
import threading
from array import array
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import BinaryIO

from fontTools import ttLib
from fontTools.misc.textTools import Tag
from fontTools.ttLib.tables._g_l_y_f import Glyph
from fpdf import FPDF
from fpdf.enums import TextEmphasis
from fpdf.fonts import TTFFont


@dataclass(frozen=True)
class _Face:
    """One parsed face: what every document's copy shares. Never changed after the parse."""
    font: TTFFont | None     # the parsed font, never given to a document itself; None: not cacheable
    handle: BinaryIO | None  # the file it was parsed from, kept open for the documents' memory maps
    index: int
    glyph_order: tuple[str, ...] = ()
    post: bytes = b""        # its post table as format 3: the same metrics, no glyph names
    # hmtx and vmtx as (advances, side bearings) in glyph order: arrays take a tenth of the memory
    # of fontTools' dict of tuples, and make that dict again in a few milliseconds.
    metrics: dict[str, tuple[array, array]] = field(default_factory=dict)
    outlines: array | None = None   # loca: where each outline starts in glyf (and the last ends)


_lock = threading.Lock()
_faces: dict[tuple[str, int], tuple[tuple[int, int], _Face]] = {}


def add_font(pdf: FPDF, family: str, style: str, path: str, index: int = 0) -> None:
    """`pdf.add_font(family, style, path, collection_font_number=index)`, the face parsed once per process."""
    face = _face(path, index)
    if face.font is None:
        pdf.add_font(family, style, path, collection_font_number=index)
        return
    style = "".join(sorted(style.upper()))
    fontkey = f"{family.lower()}{style}"
    if fontkey in pdf.fonts:
        raise ValueError(f"font {fontkey!r} already added to this document")
    font = _copy(face, style, fontkey, len(pdf.fonts) + 1)
    pdf.fonts[fontkey] = font
    if font.is_cff and font.is_cid_keyed:   # what FPDF.add_font does for such fonts
        pdf._set_min_pdf_version("1.6")


def clear() -> None:
    """Forget every parsed face (tests and benchmarks; a server never needs it)."""
    with _lock:
        for _, face in _faces.values():
            if face.handle is not None:
                face.handle.close()
        _faces.clear()


def _face(path: str, index: int) -> _Face:
    key = (os.path.realpath(path), index)
    stat = os.stat(key[0])
    known = _faces.get(key)
    if known is not None and known[0] == (stat.st_size, stat.st_mtime_ns):
        return known[1]
    with _lock:
        known = _faces.get(key)
        stat = os.stat(key[0])
        if known is None or known[0] != (stat.st_size, stat.st_mtime_ns):
            # A replaced file's old handle is left to the garbage collector: a document being
            # copied from the old face in another thread may still map it.
            known = _parse(key[0], index)
            _faces[key] = known
        return known[1]


def _parse(path: str, index: int) -> tuple[tuple[int, int], _Face]:
    handle = open(path, "rb")
    try:
        stat = os.fstat(handle.fileno())
        version = (stat.st_size, stat.st_mtime_ns)
        probe = ttLib.TTFont(_map(handle), recalcTimestamp=False, fontNumber=index, lazy=True)
        try:
            glyph_order = tuple(probe.getGlyphOrder())
            if not (probe.flavor is None and "fvar" not in probe and "post" in probe
                    and ("glyf" not in probe or ".notdef" in glyph_order)):
                handle.close()
                return version, _Face(None, None, index)
            post = probe["post"]
            post.formatType = 3.0
            post_data = post.compile(probe)
            metrics = {}
            for tag in ("hmtx", "vmtx"):
                if tag in probe and set(probe[tag].metrics) == set(glyph_order):
                    table = probe[tag].metrics
                    metrics[tag] = (array("l", (table[name][0] for name in glyph_order)),
                                    array("l", (table[name][1] for name in glyph_order)))
            outlines = None
            if "glyf" in probe and "loca" in probe:
                outlines = array("L", probe["loca"])
                if len(outlines) != len(glyph_order) + 1:
                    outlines = None   # glyphs without a name: left to fontTools' own decoding
        finally:
            probe.close()
        scratch = FPDF()
        scratch.add_font("face", fname=path, collection_font_number=index)
        font = scratch.fonts["face"]
        if font.color_font is not None:
            handle.close()
            return version, _Face(None, None, index)
        font.close()
        font.ttfont = None   # its tables were read; each document opens its own TTFont
        return version, _Face(font, handle, index, glyph_order, post_data, metrics, outlines)
    except BaseException:
        handle.close()
        raise


def _map(handle: BinaryIO) -> mmap.mmap:
    """A private read-only memory map of the file: its own position (threads share no offset),
    its own descriptor, unmapped when the TTFont reading it is closed or collected."""
    return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


class _DocumentTTFont(ttLib.TTFont):
    """One document's TTFont of a parsed face, for fpdf2's output() to subset in place. Read lazily
    from its own memory map, the "modified" timestamp kept as fpdf2 does; the tables the parse
    decoded are filled in from it when first asked for."""

    def __init__(self, face: _Face):
        super().__init__(_map(face.handle), recalcTimestamp=False, recalcBBoxes=False, fontNumber=face.index,
                         lazy=True)
        self._parsed_face = face
        self.setGlyphOrder(list(face.glyph_order))
        post = ttLib.newTable("post")
        post.decompile(face.post, self)
        self["post"] = post
        if "BDF " in self:
            del self["BDF "]

    def __getitem__(self, tag):
        tag = Tag(tag)
        face = self._parsed_face
        if tag not in self.tables and tag in face.metrics:
            table = ttLib.newTable(tag)
            advances, bearings = face.metrics[tag]
            table.metrics = dict(zip(face.glyph_order, zip(advances, bearings)))
            self[tag] = table
        elif tag not in self.tables and tag == "glyf" and face.outlines is not None:
            table = ttLib.newTable(tag)
            table.setGlyphOrder(self.getGlyphOrder())
            table.glyphs = _Glyphs(self.reader[tag], face.outlines, self.getReverseGlyphMap())
            self[tag] = table
        return super().__getitem__(tag)


class _Glyphs(MutableMapping):
    """A document's glyf table's outlines by glyph name, each made into a Glyph from the table's
    bytes when first asked for. The Glyphs are the document's own: the subsetter and the
    compiler change them in place."""

    def __init__(self, data: bytes, outlines: array, glyph_ids: dict[str, int]):
        # glyph_ids: the font's glyph order when the table is made (the subsetter changes the
        # font's order after it has taken the glyphs it keeps from here).
        self._data, self._outlines, self._ids = data, outlines, glyph_ids
        self._own: dict[str, Glyph] = {}   # made, or set by fontTools
        self._gone: set[str] = set()       # deleted by fontTools

    def _in_file(self, name) -> bool:
        return name in self._ids and name not in self._gone

    def __getitem__(self, name):
        glyph = self._own.get(name)
        if glyph is None:
            if not self._in_file(name):
                raise KeyError(name)
            index = self._ids[name]
            glyph = self._own[name] = Glyph(self._data[self._outlines[index]:self._outlines[index + 1]])
        return glyph

    def __setitem__(self, name, glyph):
        self._own[name] = glyph
        self._gone.discard(name)

    def __delitem__(self, name):
        if name not in self:
            raise KeyError(name)
        self._own.pop(name, None)
        self._gone.add(name)

    def __contains__(self, name) -> bool:
        return name in self._own or self._in_file(name)

    def __iter__(self) -> Iterator[str]:
        yield from (name for name in self._ids if name not in self._gone)
        yield from (name for name in list(self._own) if name not in self._ids)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _copy(face: _Face, style: str, fontkey: str, number: int) -> TTFFont:
    parsed = face.font
    font = copy.copy(parsed)               # everything shared, then the document's own state:
    font.i = number
    font.fontkey = fontkey
    font.emphasis = TextEmphasis.coerce(style)
    font.cw = copy.copy(parsed.cw)         # a defaultdict: reading an unknown character adds it
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    font.desc = copy.copy(parsed.desc)     # output() gives it an object number and the font file
    font.ttfont = _DocumentTTFont(face)
    # The subset map points back at its font: copied with the parsed font standing for this one.
    font.subset = copy.deepcopy(parsed.subset, {id(parsed): font})
    return font
