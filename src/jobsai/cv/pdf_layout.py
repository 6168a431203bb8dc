"""Reading order of a PDF page from where its characters are drawn.

A PDF has no lines or columns, only glyphs at positions, in whatever order the program that
wrote it drew them. :class:`FragmentBuilder` groups the characters of a page into fragments
(runs of text on one baseline without a wide gap), and :func:`page_lines` puts the fragments
into reading order:

* a column gutter — an empty vertical strip with text on both sides, crossed by at most a few
  full-width lines (a name header, a footer) — splits the page into bands; in each band the
  left column is read before the right one, so a sidebar never interleaves with the main
  column line by line;
* unless the two sides are really rows (a date or label column beside its entries, a
  two-column table): their lines sit on the same baselines *and* the file draws them row by
  row, so each row is read across;
* within a column, fragments on one baseline form a line, read left to right, and lines are
  read top to bottom.

Pure geometry, no PDF library: the PDF reader feeds it characters and boxes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

_SPLIT_GAP_EM = 1.0
"""A horizontal gap wider than this (in font sizes) ends a fragment: a column gutter or a tab stop."""
_SPACE_GAP_EM = 0.1
"""A gap this wide is a word break even when the file has no space there. Letters of a word touch
(kerning moves them by a few hundredths of an em); TeX shrinks a justified line's spaces to about
0.14 em, and PDFium does not always infer a space there."""
_SLAB_GAP_EM = 1.0
"""Blank space this tall (in font sizes) across the whole width separates a header from the columns."""
_MAX_DEPTH = 8
"""Columns inside columns (a sidebar's two-column skill list) and blocks inside them."""


@dataclass(slots=True)
class Fragment:
    """Text on one baseline without a wide gap, with its box in page space (y grows upwards)."""

    text: str
    x0: float
    x1: float
    bottom: float
    top: float
    size: float
    order: int
    """Position of its first character in the file's drawing order."""

    @property
    def height(self) -> float:
        return max(self.top - self.bottom, 1e-3)


@dataclass(slots=True)
class _Open:
    """The fragment being built: its box so far (its text is still ``chars``) and its last character's box."""

    fragment: Fragment
    chars: list[str]
    last_right: float
    last_bottom: float
    last_top: float


@dataclass(slots=True)
class FragmentBuilder:
    """Collects a page's characters, in drawing order, into fragments."""

    fragments: list[Fragment] = field(default_factory=list)
    rotated: list[str] = field(default_factory=list)
    """Text drawn at an angle (a vertical "CV" down the margin): kept, read after the page."""
    _open: _Open | None = None
    _space: bool = False
    _count: int = 0

    def space(self) -> None:
        """A word break: a space in the file, one the PDF library inferred, or a dropped icon."""
        self._space = True
        if self.rotated and not self.rotated[-1].endswith(" "):
            self.rotated.append(" ")

    def line_break(self) -> None:
        self._close()
        self.space()

    def add_rotated(self, ch: str) -> None:
        self.rotated.append(ch)

    def add(self, ch: str, left: float, right: float, bottom: float, top: float, size: float) -> None:
        """One visible character and its box (left < right, bottom < top)."""
        self._count += 1
        size = size if size > 0 else max(top - bottom, 1.0)
        current = self._open
        if current is not None:
            em = max(size, current.fragment.size, 1.0)
            overlap = min(top, current.last_top) - max(bottom, current.last_bottom)
            same_line = overlap >= 0.5 * min(top - bottom, current.last_top - current.last_bottom)
            gap = left - current.last_right
            if not same_line or gap > _SPLIT_GAP_EM * em or left < current.fragment.x0 - 0.5 * em:
                self._close()
                current = None
            elif (self._space or gap > _SPACE_GAP_EM * em) and current.chars[-1] != " ":
                current.chars.append(" ")
        if current is None:
            box = Fragment("", left, right, bottom, top, size, self._count)
            self._open = _Open(box, [ch], right, bottom, top)
        else:
            box = current.fragment
            current.chars.append(ch)
            box.x0 = min(box.x0, left)
            box.x1 = max(box.x1, right)
            box.bottom = min(box.bottom, bottom)
            box.top = max(box.top, top)
            box.size = max(box.size, size)
            current.last_right = right
            current.last_bottom, current.last_top = bottom, top
        self._space = False

    def finish(self) -> list[Fragment]:
        self._close()
        return self.fragments

    def _close(self) -> None:
        current, self._open = self._open, None
        if current is None:
            return
        text = "".join(current.chars).strip()
        if text:
            current.fragment.text = text
            self.fragments.append(current.fragment)


# ------------------------------------------------------------------------ reading order


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    top: float
    bottom: float


def page_lines(fragments: list[Fragment]) -> list[Line]:
    """The page's lines in reading order (see the module docstring)."""
    anchor = None
    if fragments:
        sizes = sorted(f.size for f in fragments)
        title = max(fragments, key=lambda f: f.size)
        if title.size >= 1.3 * sizes[len(sizes) // 2]:
            anchor = (title.x0 + title.x1) / 2  # the name: its column is read first
    return [
        Line(" ".join(f.text for f in row), max(f.top for f in row), min(f.bottom for f in row))
        for row in _layout(fragments, 0, anchor)
    ]


def _layout(fragments: list[Fragment], depth: int, anchor: float | None) -> list[list[Fragment]]:
    if len(fragments) < 4 or depth >= _MAX_DEPTH:
        return _rows(fragments)
    gutter = _find_gutter(fragments)
    if gutter is None:
        return _rows(fragments)
    g0, g1 = gutter
    header, body = _header(fragments, g0, g1)
    if header:  # a name block above the columns is read first
        return _layout(header, depth + 1, anchor) + _layout(body, depth + 1, anchor)
    crossing = [f for f in fragments if f.x0 < g1 and f.x1 > g0]
    spanning = {id(f) for f in crossing}
    for f in fragments:  # what shares a line with a full-width line belongs to that line
        if id(f) not in spanning and any(_same_row(f, c) for c in crossing):
            spanning.add(id(f))

    out: list[list[Fragment]] = []
    run: list[Fragment] = []
    run_spans = False
    for f in sorted(fragments, key=lambda f: (-f.top, f.x0)):
        spans = id(f) in spanning
        if run and spans != run_spans:
            out += _rows(run) if run_spans else _columns(run, g0, g1, depth, anchor)
            run = []
        run.append(f)
        run_spans = spans
    if run:
        out += _rows(run) if run_spans else _columns(run, g0, g1, depth, anchor)
    return out


def _header(fragments: list[Fragment], g0: float, g1: float) -> tuple[list[Fragment], list[Fragment]]:
    """Blocks above the columns (separated by blank space across the whole width) that are not two
    columns themselves: a centred name, title and contact line; the start of the main column above
    where the sidebar begins."""
    sizes = sorted(f.size for f in fragments)
    blank = _SLAB_GAP_EM * sizes[len(sizes) // 2]
    header: list[Fragment] = []
    slab: list[Fragment] = []
    bottom = math.inf
    ordered = sorted(fragments, key=lambda f: -f.top)
    for f in ordered:
        if slab and f.top < bottom - blank:  # blank space across the page ends a slab
            if _two_columns(slab, g0, g1):
                break
            header += slab
            slab = []
        slab.append(f)
        bottom = min(bottom, f.bottom) if len(slab) > 1 else f.bottom
    else:
        return [], fragments  # no blank space below the last slab: nothing is above the columns
    if not header:
        return [], fragments
    taken = {id(f) for f in header}
    return header, [f for f in ordered if id(f) not in taken]


def _two_columns(slab: list[Fragment], g0: float, g1: float) -> bool:
    left = [f for f in slab if f.x1 <= g0]
    right = [f for f in slab if f.x0 >= g1]
    if len(left) + len(right) < len(slab):
        return False  # something crosses the gutter
    return len(_rows(left)) >= 2 and len(_rows(right)) >= 2


def _columns(band: list[Fragment], g0: float, g1: float, depth: int, anchor: float | None) -> list[list[Fragment]]:
    left = [f for f in band if f.x1 <= g0 + 1e-6]
    right = [f for f in band if f.x1 > g0 + 1e-6]
    if not left or not right or _reads_across(left, right):
        return _rows(band)
    first, second = (right, left) if anchor is not None and anchor >= g1 else (left, right)
    return _layout(first, depth + 1, anchor) + _layout(second, depth + 1, anchor)


def _reads_across(left: list[Fragment], right: list[Fragment]) -> bool:
    """Rows, not columns: both sides share their baselines and the file draws them row by row."""
    sides = {id(f): 0 for f in left} | {id(f): 1 for f in right}
    rows = _rows(left + right)
    both = sum(1 for row in rows if _aligned_pair(row, sides))
    if both == 0:
        return False
    left_rows = sum(1 for row in rows if any(sides[id(f)] == 0 for f in row))
    right_rows = sum(1 for row in rows if any(sides[id(f)] == 1 for f in row))
    if max(both / left_rows, both / right_rows) < 0.8:
        return False  # each side has its own line pitch: two independent flows of text
    drawn = [sides[id(f)] for f in sorted(left + right, key=lambda f: f.order)]
    switches = sum(1 for a, b in zip(drawn, drawn[1:], strict=False) if a != b)
    return switches >= both


def _aligned_pair(row: list[Fragment], sides: dict[int, int]) -> bool:
    """A left and a right fragment of the row stand on the same baseline, as a table's cells do."""
    lefts = [f for f in row if sides[id(f)] == 0]
    rights = [f for f in row if sides[id(f)] == 1]
    return any(abs(a.bottom - b.bottom) <= 0.25 * max(a.size, b.size) for a in lefts for b in rights)


def _find_gutter(fragments: list[Fragment]) -> tuple[float, float] | None:
    """The best vertical strip with text on both sides and at most a few lines crossing it."""
    x_min = min(f.x0 for f in fragments)
    x_max = max(f.x1 for f in fragments)
    width = int(math.ceil(x_max - x_min))
    if width < 40:
        return None
    coverage = [0] * (width + 2)
    for f in fragments:
        coverage[max(0, int(f.x0 - x_min))] += 1
        coverage[min(width + 1, int(math.ceil(f.x1 - x_min)))] -= 1
    for i in range(1, len(coverage)):
        coverage[i] += coverage[i - 1]
    sizes = sorted(f.size for f in fragments)
    em = sizes[len(sizes) // 2]
    min_width = max(0.8 * em, 4.0)
    allowed = max(1, len(fragments) // 5)

    best: tuple[int, float, tuple[float, float]] | None = None
    for level in range(allowed + 1):  # strips crossed by no line first, then by one, two, ...
        i = 0
        while i < width:
            if coverage[i] > level:
                i += 1
                continue
            j = i
            while j < width and coverage[j] <= level:
                j += 1
            if j - i >= min_width and i > 0 and j < width:
                g0, g1 = x_min + i, x_min + j
                crossing = _gutter_crossing(fragments, g0, g1, em, allowed)
                if crossing is not None and (best is None or (crossing, g0 - g1) < best[:2]):
                    best = (crossing, g0 - g1, (g0, g1))
            i = j
        if best is not None and best[0] <= level:
            break
    return best[2] if best is not None else None


def _gutter_crossing(fragments: list[Fragment], g0: float, g1: float, em: float, allowed: int) -> int | None:
    """Lines crossing the strip, or None if the strip does not separate two columns of text."""
    left = [f for f in fragments if f.x1 <= g0]
    right = [f for f in fragments if f.x0 >= g1]
    crossing = len(fragments) - len(left) - len(right)
    if len(left) < 2 or len(right) < 2 or crossing > allowed:
        return None
    overlap = min(max(f.top for f in left), max(f.top for f in right)) - max(
        min(f.bottom for f in left), min(f.bottom for f in right)
    )
    if overlap < 2 * em:  # side by side, not one above the other
        return None
    return crossing


def _same_row(a: Fragment, b: Fragment) -> bool:
    overlap = min(a.top, b.top) - max(a.bottom, b.bottom)
    return overlap >= 0.5 * min(a.height, b.height)


def _rows(fragments: list[Fragment]) -> list[list[Fragment]]:
    """Fragments grouped into lines (top to bottom), each line left to right."""
    rows: list[list[Fragment]] = []
    for f in sorted(fragments, key=lambda f: (-f.top, f.x0)):
        for row in reversed(rows[-3:]):
            if _same_row(f, row[0]):
                row.append(f)
                break
        else:
            rows.append([f])
    for row in rows:
        row.sort(key=lambda f: f.x0)
    return rows
