"""How many lines a piece of client text takes on paper, from our own fonts' glyph widths.

The ladder is split into pages before WeasyPrint lays it out (so rung 1 is at
the bottom of the first page), which needs a good estimate of each rung's
height. Words are wrapped greedily at spaces with the widths of the fonts we
ship (fontTools reads them once per process); a word wider than the line
breaks as ``overflow-wrap: break-word`` does.
"""

from __future__ import annotations

import functools
import math

from ..resources import templates_dir

#: The fonts of each style, in the stylesheet's fallback order. Hebrew and Arabic have
#: no italic (their italic text prints upright), and an Arabic letter is measured in its
#: unjoined form: close enough for a page break.
_FAMILIES = {
    "bold": ("WorksheetsSans-Bold.ttf", "WorksheetsSansExtended-Bold.ttf",
             "WorksheetsSansHebrew-Bold.ttf", "WorksheetsSansArabic-Bold.ttf",
             "WorksheetsSymbols-Regular.ttf"),
    "italic": ("WorksheetsSans-Italic.ttf", "WorksheetsSansExtended-Italic.ttf",
               "WorksheetsSansHebrew-Regular.ttf", "WorksheetsSansArabic-Regular.ttf",
               "WorksheetsSymbols-Regular.ttf"),
}
_PT_TO_MM = 25.4 / 72


@functools.lru_cache(maxsize=4)
def _fonts(style: str) -> tuple[tuple[dict, dict, int], ...]:
    from fontTools.ttLib import TTFont

    fonts = []
    for name in _FAMILIES[style]:
        font = TTFont(str(templates_dir() / "fonts" / name))
        try:
            metrics = font["hmtx"]
            widths = {code: metrics[glyph][0] for code, glyph in font.getBestCmap().items()}
            fonts.append((widths, font["head"].unitsPerEm))
        finally:
            font.close()
    return tuple(fonts)


@functools.lru_cache(maxsize=4096)
def _advance(char: str, style: str) -> float:
    """A character's advance width in em (a missing glyph counts as a wide one)."""
    for widths, units in _fonts(style):
        if ord(char) in widths:
            return widths[ord(char)] / units
    return 1.0


def width_mm(text: str, style: str, size_pt: float) -> float:
    """The width of *text* on one line."""
    return sum(_advance(c, style) for c in text) * size_pt * _PT_TO_MM


def wrap(text: str, style: str, size_pt: float, widths_mm) -> int:
    """How many lines *text* takes; *widths_mm(n)* is the width of line *n* (0-based)."""
    lines, used = 0, 0.0
    space = width_mm(" ", style, size_pt)
    for paragraph in text.splitlines() or [""]:
        used, started = 0.0, False
        lines += 1
        for word in paragraph.split():
            word_width = width_mm(word, style, size_pt)
            room = widths_mm(lines - 1)
            needed = word_width + (space if started else 0.0)
            if used + needed <= room:
                used, started = used + needed, True
                continue
            if started:
                lines += 1
            room = widths_mm(lines - 1)
            if word_width > room:  # broken anywhere, as overflow-wrap: break-word does
                extra = math.ceil(word_width / room) - 1
                lines += extra
                used = word_width - extra * room
            else:
                used = word_width
            started = True
    return lines
