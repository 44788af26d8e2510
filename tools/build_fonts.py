"""Build the fonts that ship in ``worksheet_templates/fonts/``.

The worksheets never use the fonts a machine happens to have: they use the
files this script writes, which are committed to the repository. Run it only
when the supported character ranges change (it needs Debian's
``fonts-noto-core`` and ``fonts-symbola`` packages and fontTools):

    apt-get install fonts-noto-core fonts-symbola
    .venv/bin/python tools/build_fonts.py

Why pre-subset: WeasyPrint embeds these files whole (``full_fonts``), so the
PDF never waits for a font subsetter. A font cut down to the scripts we
support (Latin, Greek, Cyrillic, common punctuation and symbols) keeps both
the render fast and the PDF small. Hinting is dropped: paper does not need it.
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

STYLES = {"Regular": "NotoSans-Regular.ttf", "Bold": "NotoSans-Bold.ttf",
          "Italic": "NotoSans-Italic.ttf"}
FAMILIES = {"Worksheets Sans": CORE_RANGES, "Worksheets Sans Extended": EXTENDED_RANGES}


def codepoints(ranges: list[tuple[int, int]]) -> list[int]:
    """Expand inclusive ranges into a list of code points."""
    return [cp for start, end in ranges for cp in range(start, end + 1)]


def cut(source: Path, target: Path, ranges, family: str, style: str) -> None:
    """Subset *source* to *ranges*, rename it to *family* and save it."""
    options = subset.Options()
    # fontTools' default features: kerning, mark positioning and composition.
    # Optional ones (small caps, old-style figures ...) would
    # pull in a thousand more glyphs that every PDF then carries.
    # Ligatures are left out too: a ligature glyph has no character of its own,
    # so text copied or searched in the PDF would come out garbled ("reﬂ" -> "reČ").
    options.layout_features = [f for f in subset.Options().layout_features
                               if f not in ("liga", "clig", "dlig", "rlig")]
    # Keep glyph names: without them fontTools (inside WeasyPrint) rebuilds
    # them from the cmap on every render.
    options.glyph_names = True
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints(ranges))
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
    missing = [str(NOTO / f) for f in STYLES.values() if not (NOTO / f).exists()]
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
    cut(SYMBOLA, OUT / "WorksheetsSymbols-Regular.ttf", SYMBOL_RANGES,
        "Worksheets Symbols", "Regular")
    return 0


if __name__ == "__main__":
    sys.exit(main())
