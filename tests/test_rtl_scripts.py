"""Hebrew and Arabic client words print in our fonts, shaped, and copy back out of the PDF.

A document is rendered for clients whose name and words for closeness are in Hebrew and
Arabic, and its PDF is checked: (a) our Hebrew and Arabic fonts are embedded; (b) the
words extract back as typed; (c) nothing printed as a missing-glyph box: every character
of the words is in the embedded font's own cmap, and every glyph drawn in the page's
text exists in the font it is drawn with and is not ``.notdef``. A Devanagari name, a
script we do not ship, is the control that shows (c) catches a box.
"""

from __future__ import annotations

import io
import unicodedata

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream

from helpers import embedded_font_count, pdf_fonts, pdf_text
from worksheets_lib import render_document, templates_dir

HEBREW = {"name": "מרים כהן", "relationship": "הקשר שלנו"}
# "السلام" holds lam-alef, the ligature Arabic requires; "زوجي" joins at every letter.
ARABIC = {"name": "ليلى حداد", "partner": "زوجي", "closeness": "السلام والقرب"}


def client_words(make_client, name, partner, relationship, closeness):
    return make_client(name=name, terms={"partner": partner, "relationship": relationship,
                                         "closeness": closeness})


@pytest.fixture(params=["hebrew-name", "arabic-name"])
def words(request) -> dict[str, str]:
    """A name in one script, the words for closeness in both (regular and bold type)."""
    if request.param == "hebrew-name":
        return {"name": HEBREW["name"], "partner": ARABIC["partner"],
                "relationship": HEBREW["relationship"], "closeness": ARABIC["closeness"]}
    return {"name": ARABIC["name"], "partner": HEBREW["relationship"],
            "relationship": ARABIC["closeness"], "closeness": HEBREW["name"]}


def embedded_fonts(path) -> dict[str, TTFont]:
    """Every font the PDF draws with, by base name (subset prefix removed), as fontTools reads
    the file embedded in the PDF (not the one in our folder)."""
    fonts = {}
    for page in PdfReader(str(path)).pages:
        for ref in ((page.get("/Resources") or {}).get("/Font") or {}).values():
            font = ref.get_object()
            name = str(font["/BaseFont"]).lstrip("/").split("+", 1)[-1]
            if name in fonts:
                continue
            (descendant,) = font["/DescendantFonts"]
            descriptor = descendant.get_object()["/FontDescriptor"].get_object()
            data = descriptor["/FontFile2"].get_object().get_data()
            fonts[name] = TTFont(io.BytesIO(data))
    return fonts


def drawn_glyphs(path) -> dict[str, set[int]]:
    """The glyph ids each font draws, read from the pages' text operators (our fonts are
    Identity-H: two bytes a glyph)."""
    reader = PdfReader(str(path))
    drawn: dict[str, set[int]] = {}
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        by_key = {key: str(ref.get_object()["/BaseFont"]).lstrip("/").split("+", 1)[-1]
                  for key, ref in (resources.get("/Font") or {}).items()}
        current = None
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                current = by_key[operands[0]]
            elif operator in (b"Tj", b"'", b'"', b"TJ"):
                strings = operands[0] if operator == b"TJ" else operands[-1:]
                for item in strings:
                    if isinstance(item, (bytes, str)):
                        raw = item if isinstance(item, bytes) else item.original_bytes
                        gids = {int.from_bytes(raw[i:i + 2], "big")
                                for i in range(0, len(raw), 2)}
                        drawn.setdefault(current, set()).update(gids)
    return drawn


def boxes(path) -> dict[str, set[int]]:
    """The glyphs drawn that the font they are drawn with does not have, or has as .notdef."""
    fonts, found = embedded_fonts(path), {}
    for name, gids in drawn_glyphs(path).items():
        order = fonts[name].getGlyphOrder()
        bad = {g for g in gids if g >= len(order) or order[g] == ".notdef"}
        if bad:
            found[name] = bad
    return found


def pdfium_text(path) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return "\f".join(document[i].get_textpage().get_text_range()
                         for i in range(len(document)))
    finally:
        document.close()


def letter_x(path, word) -> tuple[float, float]:
    """Where the first and the last letter of *word* stand on its page, from the left."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        for page in document:
            text = page.get_textpage()
            at = text.get_text_range().find(word)
            if at >= 0:
                assert text.get_text_range(at, len(word)) == word  # the same letters
                return text.get_charbox(at)[0], text.get_charbox(at + len(word) - 1)[0]
    finally:
        document.close()
    raise AssertionError(word)


def test_hebrew_and_arabic_words_print_in_our_fonts_and_extract_as_typed(
        tmp_path, make_client, words):
    out = tmp_path / "values.pdf"
    result = render_document("values-culture", client_words(make_client, **words), out,
                             paper="a4")
    assert result.warnings == []

    # (a) Our Hebrew and Arabic fonts are embedded, whole, and no other font is used.
    fonts = pdf_fonts(out)
    assert all(f.startswith("Worksheets-") for f in fonts), fonts
    assert any(f.startswith("Worksheets-Sans-Hebrew") for f in fonts), fonts
    assert any(f.startswith("Worksheets-Sans-Arabic") for f in fonts), fonts
    used, embedded = embedded_font_count(out)
    assert used == embedded
    ours = embedded_fonts(out)
    for name, font in ours.items():  # each is our file, whole: the same glyphs, the same cmap
        if name.startswith(("Worksheets-Sans-Hebrew", "Worksheets-Sans-Arabic")):
            family, _, style = name.replace("Worksheets-Sans-", "WorksheetsSans").partition("-")
            shipped = TTFont(templates_dir() / "fonts" / f"{family}-{style or 'Regular'}.ttf")
            assert font.getGlyphOrder() == shipped.getGlyphOrder(), name
            assert font.getBestCmap() == shipped.getBestCmap(), name

    # (b) Every word comes back as typed. pdfium puts the letters of each word in reading
    # order, but the words of a right-to-left phrase in a left-to-right line in the order
    # they stand on the page, so the words are looked for one by one. pypdf gives the
    # joined Arabic letters as their presentation forms (what our ToUnicode map says),
    # which NFKC turns back into the letters typed.
    pdfium = pdfium_text(out)
    pypdf = unicodedata.normalize("NFKC", pdf_text(out))
    for word in " ".join(words.values()).split():
        assert word in pdfium, word
        assert word in pypdf, word

    # (c) No boxes: each character is in the cmap of our embedded font for its script ...
    cmaps = {name: set(font.getBestCmap()) for name, font in ours.items()}
    for char in set("".join(words.values())) - {" "}:
        script = "Hebrew" if "HEBREW" in unicodedata.name(char) else "Arabic"
        carrying = [n for n in cmaps if n.startswith(f"Worksheets-Sans-{script}")]
        assert carrying and all(ord(char) in cmaps[n] for n in carrying), (char, carrying)
    # ... and every glyph drawn is a real glyph of the font drawing it.
    assert boxes(out) == {}
    # Shaped: "السلام" is drawn with its joined forms, initial lam and medial seen, and
    # with lam-alef, the ligature Arabic requires (each named by its presentation form).
    drawn = drawn_glyphs(out)
    arabic = [n for n in drawn if n.startswith("Worksheets-Sans-Arabic")]
    shaped = set()
    for name in arabic:
        font = ours[name]
        names = {font.getGlyphOrder()[g] for g in drawn[name]}
        shaped |= {cp for cp, glyph in font.getBestCmap().items() if glyph in names}
    assert {0xFEDF, 0xFEB4, 0xFEFC} <= shaped, sorted(map(hex, shaped))
    # Right to left: each word's first letter stands right of its last.
    for word in " ".join(words.values()).split():
        first, last = letter_x(out, word)
        assert first > last, word


def test_a_script_we_do_not_ship_is_caught_as_boxes(tmp_path, make_client, caplog):
    """The control for (c): Devanagari, which our fonts do not carry, is found as boxes."""
    out = tmp_path / "values.pdf"
    render_document("values-culture", client_words(
        make_client, name="प्रिया शर्मा", partner="x", relationship="x", closeness="x"), out,
        paper="a4")
    assert boxes(out)
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    assert logged and all(".notdef glyph" in m for m in logged), logged
    caplog.clear()  # those warnings are expected here (no_weasyprint_warnings would fail on them)
