"""The text of an uploaded Word (.docx) file, read from its XML in document order.

Headers first, then the body, then footers. The body is walked as WordprocessingML rather
than through python-docx's paragraph list, so that what templates put outside plain
paragraphs is read too: tables (nested ones included; a data table's row becomes
``"cell | cell | cell"``, the ``|`` being the cell boundary the CV reader knows), text boxes
(``w:txbxContent``: sidebars, name blocks), content controls and tracked insertions. Text
duplicated in ``mc:Fallback`` branches or deleted revisions is not read.

The archive is untrusted: parts are inflated and parsed with hard bounds (see
:mod:`jobsai.cv.safezip`), the body is read block by block and freed as it goes, and only
the parts that hold text are read (never pictures).
"""

from __future__ import annotations

import posixpath
from typing import Any

from jobsai.cv.clean import PAGE_NUMBER_LINE
from jobsai.cv.messages import OR_PASTE, damaged_docx, megabytes, unsupported
from jobsai.cv.safezip import BoundedZip, Damaged, TooLarge
from jobsai.errors import UnpackTooLargeError

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_V = "{urn:schemas-microsoft-com:vml}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_NOT_WORD_DOCUMENTS = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml",
        "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
    }
)
_SKIPPED_IN_PARAGRAPH = frozenset(
    _W + tag for tag in ("pPr", "rPr", "del", "moveFrom", "instrText", "delText", "fldData")
)
_BLOCK_WRAPPERS = frozenset(_W + tag for tag in ("sdtContent", "customXml", "ins", "moveTo", "smartTag"))
_HEADER_TYPES = ("first", "default", "even")
"""The order python-docx gives a section's headers and footers: first page, default, even pages."""


def extract_docx(
    data: bytes,
    subject: str,
    *,
    max_unpacked: int,
    max_entries: int,
    max_part: int,
    max_depth: int,
) -> str:
    """Headers, then the body in document order (tables, text boxes), then footers."""
    too_large = UnpackTooLargeError(
        f"{subject} unpacks to more than {megabytes(max_unpacked)} — far more than a CV needs. "
        f"Remove large pictures or save it as PDF, {OR_PASTE}."
    )
    try:
        archive = BoundedZip.open(
            data, max_unpacked=max_unpacked, max_entries=max_entries, max_member=max_part, max_depth=max_depth
        )
    except TooLarge as exc:
        raise too_large from exc
    except Damaged as exc:
        raise damaged_docx(subject) from exc
    try:
        return _read_document(archive, subject)
    except TooLarge as exc:
        raise UnpackTooLargeError(
            f"{subject} holds more text or structure than a CV ever does (a part over "
            f"{megabytes(min(max_part, max_unpacked))} unpacked, or nested over {max_depth} levels deep). "
            f"Save it again from Word, or export it as PDF, {OR_PASTE}."
        ) from exc
    except Damaged as exc:
        raise damaged_docx(subject) from exc
    except MemoryError:
        raise
    except RecursionError as exc:
        raise damaged_docx(subject) from exc
    finally:
        archive.close()


def _read_document(archive: BoundedZip, subject: str) -> str:
    names = archive.names()
    main = _main_part(archive, names)
    if main not in names:
        raise Damaged("no main document part")
    if "[Content_Types].xml" in names and _content_type(archive, main) in _NOT_WORD_DOCUMENTS:
        raise unsupported(subject, "a Word template or macro-enabled document")
    rels = _relationships(archive, main, names)

    styles = next((target for kind, target in rels.values() if kind == "styles"), None)
    list_styles = _list_style_ids(archive.parse(styles, walked=False)) if styles in names else frozenset()
    walker = _DocxText(list_styles)

    body_lines: list[str] = []
    sections: list[dict[tuple[str, str], str]] = []

    def on_element(element: Any, depth: int) -> None:
        # document (1) > body (2) > a block (3): read each block as it ends, then free it.
        body = element.getparent()
        if depth != 3 or body is None or body.tag != _W + "body":
            return
        if element.tag == _W + "sectPr":  # the last section's properties
            sections.append(_section_references(element))
        else:
            walker.block_lines([element], body_lines)
            sections.extend(_section_references(s) for s in element.iterfind(f"{_W}pPr/{_W}sectPr"))
        element.clear(keep_tail=True)
        while element.getprevious() is not None:
            del body[0]

    archive.parse(main, on_element)
    body_lines += walker.take_sidebars()

    headers, footers = _header_footer_lines(archive, sections, rels, names, walker)
    return "\n".join(headers + body_lines + footers)


def _section_references(section: Any) -> dict[tuple[str, str], str]:
    """("header" or "footer", "first"/"default"/"even") → relationship id, for one section."""
    references = {}
    for kind in ("header", "footer"):
        for ref in section.iterfind(f"{_W}{kind}Reference"):
            references[(kind, ref.get(_W + "type", "default"))] = ref.get(_R + "id", "")
    return references


def _main_part(archive: BoundedZip, names: set[str]) -> str:
    """The main document part named by the package relationships (normally word/document.xml)."""
    if "_rels/.rels" in names:
        root = archive.parse("_rels/.rels", walked=False)
        for rel in root.iterfind(f"{_PKG_RELS}Relationship"):
            if rel.get("Type", "").endswith("/officeDocument") and rel.get("TargetMode") != "External":
                return posixpath.normpath(rel.get("Target", "").lstrip("/"))
    return "word/document.xml"


def _content_type(archive: BoundedZip, part: str) -> str | None:
    root = archive.parse("[Content_Types].xml", walked=False)
    for override in root.iterfind(f"{_CONTENT_TYPES}Override"):
        if override.get("PartName", "").lstrip("/") == part:
            return override.get("ContentType")
    return None


def _relationships(archive: BoundedZip, part: str, names: set[str]) -> dict[str, tuple[str, str]]:
    """``rId`` → (relationship kind, e.g. "header", and the target part's name)."""
    folder, base = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    if rels_name not in names:
        return {}
    out = {}
    for rel in archive.parse(rels_name, walked=False).iterfind(f"{_PKG_RELS}Relationship"):
        target, kind = rel.get("Target", ""), rel.get("Type", "")
        if rel.get("TargetMode") == "External" or not kind.startswith(_REL_TYPE):
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        out[rel.get("Id", "")] = (kind[len(_REL_TYPE) :], posixpath.normpath(path))
    return out


def _header_footer_lines(
    archive: BoundedZip,
    sections: list[dict[tuple[str, str], str]],
    rels: dict[str, tuple[str, str]],
    names: set[str],
    walker: _DocxText,
) -> tuple[list[str], list[str]]:
    """Text of every defined header and footer once, without page-number fields."""
    seen: set[str] = set()
    headers: list[str] = []
    footers: list[str] = []
    parsed: dict[str, list[str]] = {}
    for references in sections:
        for target, kind in ((headers, "header"), (footers, "footer")):
            for which in _HEADER_TYPES:
                rel = rels.get(references.get((kind, which), ""))
                if rel is None or rel[1] not in names:  # not defined here: linked to the previous section's
                    continue
                part = rel[1]
                if part not in parsed:
                    lines: list[str] = []
                    walker.block_lines(archive.parse(part), lines)
                    parsed[part] = lines + walker.take_sidebars()
                for line in parsed[part]:
                    key = " ".join(line.split())
                    if not key or key in seen or PAGE_NUMBER_LINE.match(key):
                        continue
                    seen.add(key)
                    target.append(line)
    return headers, footers


def _list_style_ids(styles: Any) -> frozenset[str]:
    """Paragraph styles that number or bullet their paragraphs (e.g. "List Bullet")."""
    found = {}
    for style in styles.iterchildren(_W + "style"):
        style_id = style.get(_W + "styleId")
        if not style_id:
            continue
        ppr = style.find(_W + "pPr")
        based_on = style.find(_W + "basedOn")
        found[style_id] = (
            ppr is not None and ppr.find(_W + "numPr") is not None,
            based_on.get(_W + "val") if based_on is not None else None,
        )
    listed: set[str] = set()
    for style_id in found:
        current: str | None = style_id
        for _ in range(10):  # basedOn chains are short; a cycle must not hang us
            if current is None or current not in found:
                break
            has_numbering, current = found[current]
            if has_numbering:
                listed.add(style_id)
                break
    return frozenset(listed)


class _DocxText:
    """Walks WordprocessingML in document order, one line per paragraph or table row.

    Text boxes, content controls and tracked insertions are read; text duplicated in
    ``mc:Fallback`` branches or deleted revisions is not. A text box's lines follow the
    paragraph it is anchored in, except a sidebar — a floating box much taller than wide,
    a column of its own beside the text — whose lines are kept apart (:meth:`take_sidebars`)
    and read after the text it stands beside, as a PDF's second column is.
    """

    def __init__(self, list_styles: frozenset[str]) -> None:
        self.list_styles = list_styles
        self.sidebar_lines: list[str] = []

    def block_lines(self, container: Any, out: list[str]) -> None:
        """Append the lines of every paragraph and table directly under ``container``."""
        for child in container:
            tag = child.tag
            if tag == _W + "p":
                self.paragraph_lines(child, out)
            elif tag == _W + "tbl":
                self.table_lines(child, out)
            elif tag == _W + "sdt":
                content = child.find(_W + "sdtContent")
                if content is not None:
                    self.block_lines(content, out)
            elif tag == _MC + "AlternateContent":
                self.block_lines(_alternate_choice(child), out)
            elif tag in _BLOCK_WRAPPERS:
                self.block_lines(child, out)

    def paragraph_lines(self, paragraph: Any, out: list[str]) -> None:
        parts: list[str] = []
        boxes: list[tuple[Any, bool]] = []
        self.inline_text(paragraph, parts, boxes, False)
        text = "".join(parts)
        if text.strip() and self.is_list_item(paragraph):
            text = "- " + text.lstrip()  # the bullet or number itself is not in the text
        out.append(text)
        for box, sidebar in boxes:  # text boxes anchored in this paragraph
            self.block_lines(box, self.sidebar_lines if sidebar else out)

    def take_sidebars(self) -> list[str]:
        """Lines of the sidebars (tall floating text boxes) met since the last call."""
        lines, self.sidebar_lines = self.sidebar_lines, []
        return lines

    def is_list_item(self, paragraph: Any) -> bool:
        ppr = paragraph.find(_W + "pPr")
        if ppr is None:
            return False
        if ppr.find(_W + "numPr") is not None:
            return True
        style = ppr.find(_W + "pStyle")
        return style is not None and style.get(_W + "val") in self.list_styles

    def inline_text(self, element: Any, parts: list[str], boxes: list[tuple[Any, bool]], sidebar: bool) -> None:
        for child in element:
            tag = child.tag
            if tag == _W + "t":
                parts.append(child.text or "")
            elif tag in (_W + "tab", _W + "ptab"):
                parts.append("\t")
            elif tag in (_W + "br", _W + "cr"):
                parts.append("\n")
            elif tag == _W + "noBreakHyphen":
                parts.append("-")
            elif tag == _W + "softHyphen":
                parts.append("\u00ad")
            elif tag == _W + "txbxContent":
                boxes.append((child, sidebar))
            elif tag == _MC + "AlternateContent":
                self.inline_text(_alternate_choice(child), parts, boxes, sidebar)
            elif tag in _SKIPPED_IN_PARAGRAPH or not isinstance(tag, str):
                continue
            else:  # runs, hyperlinks, fields, drawings (which may hold text boxes) ...
                self.inline_text(child, parts, boxes, sidebar or _is_sidebar_shape(child))

    def table_lines(self, table: Any, out: list[str]) -> None:
        """Data tables become "a | b | c" rows; layout tables (multi-line cells) stay lines."""
        for row in _wrapped_children(table, _W + "tr"):
            cells: list[list[str]] = []
            for cell in _wrapped_children(row, _W + "tc"):
                lines: list[str] = []
                self.block_lines(cell, lines)
                lines = [ln for ln in lines if ln.strip()]
                if lines:
                    cells.append(lines)
            if not cells:
                continue
            if all(len(lines) == 1 and "\n" not in lines[0] for lines in cells):
                out.append(" | ".join(lines[0].strip() for lines in cells))
            else:
                for lines in cells:
                    out.extend(lines)
                    out.append("")


def _is_sidebar_shape(element: Any) -> bool:
    """A floating drawing (DrawingML anchor or absolutely positioned VML shape) at least 1.5 times
    as tall as it is wide."""
    try:
        if element.tag == _WP + "anchor":
            extent = element.find(_WP + "extent")
            return extent is not None and int(extent.get("cy", "0")) >= 1.5 * int(extent.get("cx", "0")) > 0
        if element.tag in (_V + "shape", _V + "rect") and "position:absolute" in (element.get("style") or ""):
            style = dict(
                item.split(":", 1) for item in (element.get("style") or "").replace(" ", "").split(";") if ":" in item
            )
            width, height = (_css_points(style.get(key, "")) for key in ("width", "height"))
            return width > 0 and height >= 1.5 * width
    except ValueError:
        return False
    return False


def _css_points(value: str) -> float:
    units = {"pt": 1.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "px": 0.75}
    for unit, factor in units.items():
        if value.endswith(unit):
            return float(value[: -len(unit)]) * factor
    return float(value) * 0.75 if value else 0.0


def _alternate_choice(element: Any) -> Any:
    """The first branch of mc:AlternateContent; the fallback repeats the same content."""
    for branch in element:
        return branch
    return element


def _wrapped_children(element: Any, tag: str) -> Any:
    """Children with ``tag``, looking through content controls and custom-XML wrappers."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml"):
            yield from _wrapped_children(child, tag)
