"""PDFs put together and taken apart: one file from several renders with one font subset, and
one render cut into a file per division.

WeasyPrint subsets each font it embeds to the glyphs a render used, keeping each glyph's id from
the original font (its ids are the PDF's character ids). Appending the PDFs of several renders
would embed one subset per render (a city's rosters: one per batch of divisions, megabytes of
the same glyphs). :func:`merge` appends them, then gives every face one font: the widths and
the text map of all its parts together, and one subset of the original font file with every
glyph any part used, at the same ids. The original is found by its PostScript name (the city's
font, or fontconfig's list). When it cannot be found, or HarfBuzz's subsetter is missing, each
part keeps its own subset: the file is still right, only larger.
"""

from __future__ import annotations

import functools
import io
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
)


def merge(parts: list[bytes], fonts: Iterable[Path] = (), title: str = "") -> bytes:
    """The parts appended, each face's font made one (``fonts``: font files to look in first)."""
    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    _describe(writer, title)
    if len(parts) > 1 and one_font_per_face(writer, list(fonts)):
        drop_unreachable(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def split(data: bytes, counts: list[int], titles: list[str] | None = None) -> list[bytes]:
    """``data`` cut into consecutive pieces of ``counts`` pages (``titles``: each piece's title)."""
    reader = PdfReader(io.BytesIO(data))
    pieces = []
    first = 0
    for i, count in enumerate(counts):
        writer = PdfWriter()
        for page in reader.pages[first : first + count]:
            writer.add_page(page)
        _describe(writer, titles[i] if titles else "")
        buffer = io.BytesIO()
        writer.write(buffer)
        pieces.append(buffer.getvalue())
        first += count
    return pieces


def _describe(writer: PdfWriter, title: str) -> None:
    """The document's title and producer, as WeasyPrint writes them for a single render."""
    writer.add_metadata({"/Producer": "trainer (WeasyPrint, pypdf)", **({"/Title": title} if title else {})})


def one_font_per_face(writer: PdfWriter, fonts: list[Path]) -> int:
    """Point every page at one font dictionary per face; returns how many faces were made one."""
    faces: dict[tuple[str, str], list[IndirectObject]] = {}
    tables: list[DictionaryObject] = []
    for page in writer.pages:
        resources = page.get("/Resources")
        table = resources.get_object().get("/Font") if resources is not None else None
        if table is None:
            continue
        table = table.get_object()
        tables.append(table)
        for key, ref in table.items():
            if isinstance(ref, IndirectObject):
                font = _dictionary(ref)
                same = faces.setdefault((key, str(font.get("/BaseFont", ""))), [])
                if all(r.idnum != ref.idnum for r in same):
                    same.append(ref)
    merged = 0
    for (key, _base), refs in faces.items():
        if len(refs) < 2 or not _union(writer, [_dictionary(r) for r in refs], fonts):
            continue
        for table in tables:
            if key in table:
                table[NameObject(key)] = refs[0]
        merged += 1
    return merged


def drop_unreachable(writer: PdfWriter) -> int:
    """Forget the objects nothing refers to any more (the fonts replaced); returns how many."""
    roots = [writer._root_object, getattr(writer, "_info_obj", None) or getattr(writer, "_info", None)]
    reachable: set[int] = set()
    kept: set[int] = set()  # the roots themselves, however this pypdf holds them
    stack: list[Any] = []
    for root in roots:
        if root is not None:
            stack.append(root)
            kept.add(id(root.get_object()))
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if item.pdf is not writer or item.idnum in reachable:
                continue
            reachable.add(item.idnum)
            stack.append(item.get_object())
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    dropped = 0
    for i, obj in enumerate(writer._objects):
        if obj is not None and i + 1 not in reachable and id(obj) not in kept:
            writer._objects[i] = None
            dropped += 1
    return dropped


def _union(writer: PdfWriter, dicts: list[DictionaryObject], fonts: list[Path]) -> bool:
    """Make ``dicts[0]`` the font of every part: their widths, their text maps, one subset."""
    first = dicts[0]
    if first.get("/Subtype") != "/Type0" or "/DescendantFonts" not in first:
        return False
    descendants = [_dictionary(_array(d["/DescendantFonts"])[0]) for d in dicts]
    widths: dict[int, float] = {}
    for descendant in descendants:
        widths.update(_widths(descendant.get("/W", ArrayObject())))
    descriptor = _dictionary(descendants[0]["/FontDescriptor"])
    slot = next((k for k in ("/FontFile3", "/FontFile2") if k in descriptor), None)
    if slot is None or not widths:
        return False
    program = _stream(descriptor[slot]).get_data()
    union = subset_from_source(program, sorted(widths), tuple(fonts))
    if union is None:
        return False
    text: dict[int, str] = {}
    for d in dicts:
        if "/ToUnicode" in d:
            text.update(_to_unicode(_stream(d["/ToUnicode"]).get_data()))
    stream = DecodedStreamObject()
    stream.set_data(union)
    stream.update(
        {k: v for k, v in _stream(descriptor[slot]).items() if k in ("/Subtype",)}
        | ({NameObject("/Length1"): NumberObject(len(union))} if slot == "/FontFile2" else {})
    )
    descriptor[NameObject(slot)] = writer._add_object(stream.flate_encode())
    bbox = descriptor.get("/FontBBox")
    if bbox is not None and len(bbox) == 4:
        widest = FloatObject(max(widths.values()))
        descriptor[NameObject("/FontBBox")] = ArrayObject([bbox[0], bbox[1], widest, bbox[3]])
    descriptor.pop("/CIDSet", None)
    descendants[0][NameObject("/W")] = _widths_array(widths)
    cmap = DecodedStreamObject()
    cmap.set_data(_cmap(text))
    first[NameObject("/ToUnicode")] = writer._add_object(cmap.flate_encode())
    return True


def _dictionary(obj: Any) -> DictionaryObject:
    """A PDF object (or a reference to one) that must be a dictionary: a font, a descriptor."""
    found = obj.get_object()
    if not isinstance(found, DictionaryObject):
        raise TypeError(f"PDF dictionary expected, found {type(found).__name__}")
    return found


def _array(obj: Any) -> ArrayObject:
    """A PDF object (or a reference to one) that must be an array: a font's descendants."""
    found = obj.get_object()
    if not isinstance(found, ArrayObject):
        raise TypeError(f"PDF array expected, found {type(found).__name__}")
    return found


def _stream(obj: Any) -> StreamObject:
    """A PDF object (or a reference to one) that must be a stream: a font program, a text map."""
    found = obj.get_object()
    if not isinstance(found, StreamObject):
        raise TypeError(f"PDF stream expected, found {type(found).__name__}")
    return found


def _widths(array: Any) -> dict[int, float]:
    """A CID font's /W array: ``c [w1 w2 …]`` and ``c_first c_last w`` runs."""
    found: dict[int, float] = {}
    items = list(array)
    i = 0
    while i < len(items):
        start = int(items[i])
        following = items[i + 1].get_object() if i + 1 < len(items) else None
        if isinstance(following, ArrayObject):
            for j, w in enumerate(following):
                found[start + j] = float(w)
            i += 2
        else:
            last, w = int(items[i + 1]), float(items[i + 2])
            for cid in range(start, last + 1):
                found[cid] = w
            i += 3
    return found


def _widths_array(widths: dict[int, float]) -> ArrayObject:
    array = ArrayObject()
    run: ArrayObject | None = None
    previous = None
    for cid in sorted(widths):
        if run is None or previous is None or cid != previous + 1:
            run = ArrayObject()
            array.extend([NumberObject(cid), run])
        w = widths[cid]
        run.append(NumberObject(int(w)) if float(w).is_integer() else FloatObject(w))
        previous = cid
    return array


_BFCHAR = re.compile(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>")


def _to_unicode(data: bytes) -> dict[int, str]:
    """The single-character entries of a ToUnicode CMap (WeasyPrint writes only those)."""
    text = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for cid, utf16 in _BFCHAR.findall(block):
            text[int(cid, 16)] = bytes.fromhex(utf16.decode()).decode("utf-16-be", "replace")
    return text


def _cmap(text: dict[int, str]) -> bytes:
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
    ]
    items = sorted(text.items())
    for i in range(0, len(items), 100):
        batch = items[i : i + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines.extend(f"<{cid:04x}> <{chars.encode('utf-16-be').hex()}>".encode() for cid, chars in batch)
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


# ---------------------------------------------------------------- the original font, subset again
def postscript_name(program: bytes) -> str | None:
    """The PostScript name of an embedded font program (OpenType/CFF or TrueType)."""
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(io.BytesIO(program), lazy=True)
        name = font["name"].getDebugName(6) if "name" in font else None
        if name is None and "CFF " in font:
            name = font["CFF "].cff.fontNames[0]
        return str(name) if name else None
    except Exception:  # a program we cannot read: its parts keep their subsets
        return None


def subset_from_source(program: bytes, glyphs: list[int], fonts: tuple[Path, ...]) -> bytes | None:
    """A subset of the font ``program`` was cut from, with ``glyphs`` at their ids (None: the
    original or HarfBuzz's subsetter is not at hand)."""
    name = postscript_name(program)
    source = _source(name, fonts) if name else None
    if source is None:
        return None
    return _hb_subset(source[0], source[1], glyphs)


def _source(name: str, fonts: tuple[Path, ...]) -> tuple[str, int] | None:
    for path in fonts:
        found = _faces_of(str(path)).get(name)
        if found is not None:
            return str(path), found
    return _installed_faces().get(name)


@functools.cache
def _faces_of(path: str) -> dict[str, int]:
    from fontTools.ttLib import TTCollection, TTFont

    try:
        if Path(path).suffix.lower() == ".ttc":
            faces = TTCollection(path, lazy=True).fonts
        else:
            faces = [TTFont(path, lazy=True)]
        return {str(f["name"].getDebugName(6)): i for i, f in enumerate(faces) if "name" in f}
    except Exception:  # not a font we can read
        return {}


@functools.cache
def _installed_faces() -> dict[str, tuple[str, int]]:
    """PostScript name → (file, face index), from fontconfig."""
    try:
        listed = subprocess.run(
            ["fc-list", "-f", "%{postscriptname}|%{index}|%{file}\\n"], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        return {}
    faces: dict[str, tuple[str, int]] = {}
    for line in listed.splitlines():
        name, _, rest = line.partition("|")
        index, _, file = rest.partition("|")
        if name and file and index.isdigit():
            faces.setdefault(name, (file, int(index)))
    return faces


_DROPPED_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")


@functools.cache
def _harfbuzz() -> tuple[Any, Any, Any] | None:
    from cffi import FFI

    ffi = FFI()
    ffi.cdef(
        """
        typedef struct hb_blob_t hb_blob_t;
        typedef struct hb_face_t hb_face_t;
        typedef struct hb_set_t hb_set_t;
        typedef struct hb_subset_input_t hb_subset_input_t;
        hb_blob_t * hb_blob_create_from_file_or_fail (const char *file_name);
        void hb_blob_destroy (hb_blob_t *blob);
        const char * hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
        hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index);
        void hb_face_destroy (hb_face_t *face);
        hb_blob_t * hb_face_reference_blob (hb_face_t *face);
        unsigned int hb_face_get_glyph_count (const hb_face_t *face);
        void hb_set_add (hb_set_t *set, unsigned int codepoint);
        hb_subset_input_t * hb_subset_input_create_or_fail (void);
        void hb_subset_input_destroy (hb_subset_input_t *input);
        hb_set_t * hb_subset_input_glyph_set (hb_subset_input_t *input);
        void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned value);
        hb_set_t * hb_subset_input_set (hb_subset_input_t *input, int set_type);
        hb_face_t * hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
        """
    )
    libraries = []
    for names in (("libharfbuzz.so.0", "harfbuzz"), ("libharfbuzz-subset.so.0", "harfbuzz-subset")):
        for name in names:
            try:
                libraries.append(ffi.dlopen(name))
                break
            except OSError:
                continue
        else:
            return None
    return ffi, libraries[0], libraries[1]


def _hb_subset(path: str, index: int, glyphs: list[int]) -> bytes | None:
    """The face's glyphs ``glyphs`` at their own ids, as WeasyPrint subsets (no hinting, no
    subroutines, no layout tables)."""
    found = _harfbuzz()
    if found is None:
        return None
    ffi, hb, hbs = found
    blob = hb.hb_blob_create_from_file_or_fail(path.encode())
    if blob == ffi.NULL:
        return None
    face = hb.hb_face_create(blob, index)
    subset_input = hbs.hb_subset_input_create_or_fail()
    try:
        if max(glyphs) >= hb.hb_face_get_glyph_count(face):
            return None  # not the font the parts were cut from
        chosen = hbs.hb_subset_input_glyph_set(subset_input)
        for gid in glyphs:
            hb.hb_set_add(chosen, gid)
        dropped = hbs.hb_subset_input_set(subset_input, 3)  # HB_SUBSET_SETS_DROP_TABLE_TAG
        for tag in _DROPPED_TABLES:
            hb.hb_set_add(dropped, int.from_bytes(tag, "big"))
        # NO_HINTING | RETAIN_GIDS | DESUBROUTINIZE | PASSTHROUGH_UNRECOGNIZED
        hbs.hb_subset_input_set_flags(subset_input, 0x01 | 0x02 | 0x04 | 0x20)
        result = hbs.hb_subset_or_fail(face, subset_input)
        if result == ffi.NULL:
            return None
        try:
            data_blob = hb.hb_face_reference_blob(result)
            length = ffi.new("unsigned int *")
            data = bytes(ffi.buffer(hb.hb_blob_get_data(data_blob, length), length[0]))
            hb.hb_blob_destroy(data_blob)
        finally:
            hb.hb_face_destroy(result)
        return data or None
    finally:
        hbs.hb_subset_input_destroy(subset_input)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)
