"""Build the fonts that ship in ``worksheet_templates/fonts/``.

The worksheets never use the fonts a machine happens to have: they use the
files this script writes, which are committed to the repository. Run it only
when the supported character ranges change (it needs Debian's
``fonts-noto-core`` and ``fonts-symbola`` packages and fontTools):

    apt-get install fonts-noto-core fonts-symbola
    .venv/bin/python tools/build_fonts.py

Why pre-subset: WeasyPrint embeds these files whole (``full_fonts``), so the
PDF never waits for a font subsetter. A font cut down to the scripts we
support (Latin, Greek, Cyrillic, Hebrew, Arabic, common punctuation and
symbols) keeps both the render fast and the PDF small. Hinting is dropped:
paper does not need it.

Not covered, for size: Devanagari, Thai, Chinese, Japanese, Korean and every
other script (see the fonts README). Such characters print as a box.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

NOTO = Path("/usr/share/fonts/truetype/noto")
SYMBOLA = Path("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf")
OUT = Path(__file__).resolve().parent.parent / "worksheet_templates" / "fonts"

# The text fonts are cut in two, like web fonts: "Worksheets Sans" holds what
# nearly every English worksheet uses, so that is all a typical PDF embeds;
# "Worksheets Sans Extended" is embedded only when a client's words need it.
CORE_RANGES = [
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x00FF),  # Latin-1 supplement (é ñ ß ü ...)
    (0x0131, 0x0131), (0x0152, 0x0153), (0x02C6, 0x02C6), (0x02DA, 0x02DA),
    (0x02DC, 0x02DC),
    (0x2009, 0x200B), (0x2010, 0x2014),  # thin spaces, hyphens and dashes
    (0x2018, 0x201E), (0x2020, 0x2022),  # quotation marks, daggers, bullet
    (0x2026, 0x2026), (0x202F, 0x202F), (0x2030, 0x2030),  # ellipsis, narrow space, per mille
    (0x2039, 0x203A), (0x2044, 0x2044), (0x20AC, 0x20AC), (0x2122, 0x2122),
    (0x2212, 0x2212), (0xFFFD, 0xFFFD),
]
# Spaces, digits and ASCII punctuation go into every font: Pango sets a space
# next to a Greek word or an emoji in that word's font, and a font without a
# space glyph prints a missing-glyph box there.
SHARED_RANGES = [
    (0x0020, 0x0040), (0x005B, 0x0060), (0x007B, 0x007E), (0x00A0, 0x00A0),
    (0x200B, 0x200D),  # zero-width space and joiners (emoji sequences)
    (0xFE0E, 0xFE0F),  # text and emoji presentation selectors
]
EXTENDED_RANGES = SHARED_RANGES + [
    (0x0100, 0x024F),  # Latin Extended-A and -B (Ł ő ș ...)
    (0x2000, 0x206F),  # the rest of general punctuation
    (0x02B0, 0x02FF),  # spacing modifier letters
    (0x0300, 0x036F),  # combining diacritical marks
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x052F),  # Cyrillic and its supplement
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese and more)
    (0x20A0, 0x20CF),  # currency
    (0x2100, 0x218F),  # letterlike symbols, number forms
    (0x2190, 0x21FF),  # arrows
    (0x25A0, 0x25FF),  # geometric shapes
]

# The symbol and emoji font, used only for characters the text font lacks.
SYMBOL_RANGES = SHARED_RANGES + [
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators
    (0x2300, 0x23FF),  # miscellaneous technical (watch, hourglass)
    (0x2460, 0x24FF),  # enclosed alphanumerics
    (0x25A0, 0x25FF),  # geometric shapes
    (0x2600, 0x27BF),  # miscellaneous symbols and dingbats (☐ ☑ ✓ ☺ ♥)
    (0x2B00, 0x2BFF),  # miscellaneous symbols and arrows
    (0x1F000, 0x1F0FF),  # mahjong, dominoes, playing cards
    (0x1F300, 0x1F64F),  # pictographs and emoticons
    (0x1F680, 0x1F6FF),  # transport and map symbols
    (0x1F900, 0x1F9FF),  # supplemental symbols and pictographs
]

# The right-to-left scripts, one small font each, embedded only when a client's
# words use them. Noto has no italic for either: italic text in them prints upright.
# Their presentation forms stay in the cmap although nobody types them: with
# full_fonts, WeasyPrint maps glyphs back to text (the PDF's ToUnicode) from the
# font's cmap alone, so a joined Arabic letter, lam-alef or a Hebrew letter with
# its dagesh copies out of the PDF only if the cmap names its glyph (PDF readers
# turn presentation forms back into the plain letters). For the same reason
# these fonts are cut with map_kept (see cut()): the required ligatures outside
# these ranges (lam with alef maksura, as in "على") keep their code points.
# Joined forms of letters Unicode gives no presentation form (some Pashto,
# Sindhi and Kurdish letters) print right but cannot copy out right.
HEBREW_RANGES = SHARED_RANGES + [
    (0x0590, 0x05FF),  # Hebrew, with the vowel points and cantillation marks
    (0x200E, 0x200F),  # left-to-right and right-to-left marks
    (0x20AA, 0x20AA),  # new shekel sign
    (0x25CC, 0x25CC),  # dotted circle (a mark typed on its own sits on it)
    (0xFB1D, 0xFB4F),  # Hebrew presentation forms (see above)
]
ARABIC_RANGES = SHARED_RANGES + [
    (0x0600, 0x06FF),  # Arabic, Persian, Urdu, Pashto, Kurdish letters, marks and digits
    # Not the Arabic supplement and extended blocks (letters for some African
    # languages, Quranic marks): they would make this font half as big again.
    (0x200E, 0x200F),  # left-to-right and right-to-left marks
    (0x25CC, 0x25CC),  # dotted circle
    (0xFB50, 0xFBFF),  # presentation forms of Persian and Urdu letters (see above)
    (0xFD3E, 0xFD3F),  # ornate parentheses
    (0xFE70, 0xFEFF),  # presentation forms of the Arabic letters and lam-alef (see above)
]

STYLES = {"Regular": "NotoSans-Regular.ttf", "Bold": "NotoSans-Bold.ttf",
          "Italic": "NotoSans-Italic.ttf"}
FAMILIES = {"Worksheets Sans": CORE_RANGES, "Worksheets Sans Extended": EXTENDED_RANGES}
# family: (ranges, {style: source file}, extra layout features)
RTL_FAMILIES = {
    "Worksheets Sans Hebrew": (HEBREW_RANGES, {"Regular": "NotoSansHebrew-Regular.ttf",
                                               "Bold": "NotoSansHebrew-Bold.ttf"}, []),
    # Arabic needs "rlig": it makes lam-alef, which the script requires (lam and
    # alef side by side are wrong, not merely plain). The PDF maps that one glyph
    # back to both letters, so copying the text still gives the letters typed.
    "Worksheets Sans Arabic": (ARABIC_RANGES, {"Regular": "NotoSansArabic-Regular.ttf",
                                               "Bold": "NotoSansArabic-Bold.ttf"}, ["rlig"]),
}


def codepoints(ranges: list[tuple[int, int]]) -> list[int]:
    """Expand inclusive ranges into a list of code points."""
    return [cp for start, end in ranges for cp in range(start, end + 1)]


def cut(source: Path, target: Path, ranges, family: str, style: str,
        features: list[str] = (), map_kept: bool = False) -> None:
    """Subset *source* to *ranges*, rename it to *family* and save it.

    *features* are layout features kept beyond the default ones (a script's
    required ligatures). With *map_kept*, every glyph the cut keeps keeps its
    code points from *source* too (a joined form, a required ligature), so the
    PDF can map it back to text; this costs nothing, the glyph is there anyway.
    """
    options = subset.Options()
    # fontTools' default features: kerning, mark positioning and composition.
    # Optional ones (small caps, old-style figures ...) would
    # pull in a thousand more glyphs that every PDF then carries.
    # Ligatures are left out too: a ligature glyph has no character of its own,
    # so text copied or searched in the PDF would come out garbled ("reﬂ" -> "reČ").
    options.layout_features = [f for f in subset.Options().layout_features
                               if f not in ("liga", "clig", "dlig", "rlig")]
    options.layout_features += list(features)
    # Keep glyph names: without them fontTools (inside WeasyPrint) rebuilds
    # them from the cmap on every render.
    options.glyph_names = True
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = ["*"]
    options.notdef_outline = True
    unicodes = codepoints(ranges)
    if map_kept:
        trial = TTFont(source)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(trial)
        kept = set(trial.getGlyphOrder())
        unicodes += [cp for cp, glyph in TTFont(source).getBestCmap().items()
                     if glyph in kept and cp not in unicodes]
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    rename(font, family, style)
    font.save(target)
    print(f"{target.name}: {target.stat().st_size // 1024} KiB")


def rename(font: TTFont, family: str, style: str) -> None:
    """Give a modified font its own name, as the font licences ask."""
    full = f"{family} {style}" if style != "Regular" else family
    postscript = f"{family.replace(' ', '')}-{style}"
    names = {1: family, 2: style, 3: f"{postscript};worksheets", 4: full, 6: postscript,
             16: family, 17: style}
    table = font["name"]
    table.names = [n for n in table.names if n.nameID not in names]
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)


def main() -> int:
    sources = list(STYLES.values())
    sources += [f for _, styles, _ in RTL_FAMILIES.values() for f in styles.values()]
    missing = [str(NOTO / f) for f in sources if not (NOTO / f).exists()]
    missing += [] if SYMBOLA.exists() else [str(SYMBOLA)]
    if missing:
        print("missing source fonts (apt-get install fonts-noto-core fonts-symbola):",
              *missing, sep="\n  ", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    for family, ranges in FAMILIES.items():
        for style, source in STYLES.items():
            target = OUT / f"{family.replace(' ', '')}-{style}.ttf"
            cut(NOTO / source, target, ranges, family, style)
    for family, (ranges, styles, features) in RTL_FAMILIES.items():
        for style, source in styles.items():
            target = OUT / f"{family.replace(' ', '')}-{style}.ttf"
            cut(NOTO / source, target, ranges, family, style, features, map_kept=True)
    cut(SYMBOLA, OUT / "WorksheetsSymbols-Regular.ttf", SYMBOL_RANGES,
        "Worksheets Symbols", "Regular")
    return 0


if __name__ == "__main__":
    sys.exit(main())
