"""Client text is untrusted input to an HTML engine; templates may fetch only our own files.

Covers: autoescape and the sandbox, strict undefined values, the allow-listing
URL fetcher (with the network switched off), no embedded attachments, the
atomic write, and long or international text.
"""

from __future__ import annotations

import errno
import re
import shutil
import socket

import pytest
from pypdf import PdfReader

from helpers import pdf_fonts, pdf_text
from worksheets_lib import (
    BlockedResourceError,
    OutputError,
    TemplateError,
    packet_html,
    render_packet,
    render_worksheet,
    templates_dir,
    worksheet_html,
)
from worksheets_lib import files as files_module
from worksheets_lib import pdf as pdf_module

MARKUP_NAME = "<b>hi</b> <script>alert(1)</script>"
# A 1x1 PNG, so a data: URL that WeasyPrint could decode if it were let through.
PNG_DATA_URL = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
                "2mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")




@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to resolve or connect is recorded and refused."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError(errno.ENETUNREACH, "network disabled in tests")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def override(folder, body: str, head: str = "", name: str = "listening.html.j2"):
    """A template folder whose listening worksheet is replaced by *body*."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(
        '{% extends "base.html.j2" %}\n'
        "{% block worksheet %}\n" + head + body + "\n{% endblock %}\n", encoding="utf-8")
    return folder


def temp_files(folder) -> list:
    return sorted(p.name for p in folder.glob(".*.tmp"))


# --- autoescape ---------------------------------------------------------------------------------

def test_markup_in_client_text_is_escaped_in_the_html(make_client):
    client = make_client(
        name=MARKUP_NAME,
        therapist={"name": 'Dr. Lee" onload="steal()', "practice": "<i>Harbour</i> & Co"},
        ladder={"steps": [{"step": "<img src=x onerror=alert(1)> step", "distress": 10}]})
    html = worksheet_html("ladder", client)
    assert "&lt;b&gt;hi&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html and "<b>hi" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; step" in html
    assert "<img" not in html
    # In an attribute (the author meta tag) the quote cannot close the attribute.
    assert 'content="Dr. Lee&#34; onload=&#34;steal()"' in html
    assert "&lt;i&gt;Harbour&lt;/i&gt; &amp; Co" in html


def test_markup_in_client_text_is_escaped_in_the_packet(make_client):
    client = make_client(name=MARKUP_NAME)
    html = packet_html(client)
    assert "<script" not in html and "<b>hi" not in html
    assert "<title>Worksheets for &lt;b&gt;hi&lt;/b&gt; &lt;script&gt;" in html
    # The title, the cover's name and the running header's value.
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 3


def test_markup_in_client_text_prints_literally_in_the_pdf(tmp_path, make_client):
    client = make_client(name=MARKUP_NAME, ladder={"steps": [
        {"step": "Say <em>no</em> & mean it", "distress": 10}]})
    out = tmp_path / "ladder.pdf"
    render_worksheet("ladder", client, out)
    text = pdf_text(out)
    assert MARKUP_NAME in text
    assert "Say <em>no</em> & mean it" in text


def test_template_syntax_in_client_text_prints_as_typed(tmp_path, make_client):
    step = "{{ 7*7 }} then {% raw %}x{% endraw %} and {# note #}"
    client = make_client(name="{{ 7*7 }}", ladder={"steps": [{"step": step, "distress": 10}]},
                         listening={"other_person": "{{ client.id }}"})
    out = tmp_path / "ladder.pdf"
    render_worksheet("ladder", client, out)
    text = pdf_text(out)
    assert step in text
    assert "{{ 7*7 }}" in text.split("\f")[0]
    assert "49" not in text
    html = packet_html(client, ["listening"])
    assert "talks with <strong>{{ client.id }}</strong>" in html
    assert "alex-rivera" not in html


# --- strict values and the sandbox --------------------------------------------------------------

def test_missing_value_in_a_template_raises_template_error_naming_it(tmp_path, demo_client):
    folder = override(tmp_path / "tpl", "<p>{{ client.no_such_field }}</p>")
    with pytest.raises(TemplateError) as excinfo:
        render_worksheet("listening", demo_client, tmp_path / "out.pdf", templates_dir=folder)
    error = excinfo.value
    assert error.template == "listening.html.j2"
    assert error.field == "no_such_field"
    assert "no_such_field" in str(error)
    assert not (tmp_path / "out.pdf").exists()


def test_undefined_variable_in_a_template_raises_template_error(tmp_path, demo_client):
    folder = override(tmp_path / "tpl", "<p>{{ nothing_here }}</p>")
    with pytest.raises(TemplateError) as excinfo:
        worksheet_html("listening", demo_client, templates_dir=folder)
    assert excinfo.value.template == "listening.html.j2"
    assert excinfo.value.field == "nothing_here"


def test_template_syntax_error_names_the_template_and_line(tmp_path, demo_client):
    # Line 1 extends, line 2 opens the block, line 3 is the body.
    folder = override(tmp_path / "tpl", "<p>{{ client.name </p>")
    with pytest.raises(TemplateError) as excinfo:
        render_worksheet("listening", demo_client, tmp_path / "out.pdf", templates_dir=folder)
    assert excinfo.value.template == "listening.html.j2"
    assert "syntax error on line 3" in str(excinfo.value)


@pytest.mark.parametrize("expression", [
    "client.__class__.__mro__",
    "''.__class__",
    "client.name|attr('__class__')",
    "cycler.__init__.__globals__",
    "client.ladder.steps.append(1)",
])
def test_sandbox_escape_raises_template_error(tmp_path, demo_client, expression):
    folder = override(tmp_path / "tpl", "<p>[{{ " + expression + " }}]</p>")
    with pytest.raises(TemplateError) as excinfo:
        worksheet_html("listening", demo_client, templates_dir=folder)
    assert excinfo.value.template == "listening.html.j2"
    assert excinfo.value.detail == "the template tried something the sandbox forbids"


@pytest.mark.parametrize("target", ["/etc/hostname", "../../../../../../etc/hostname"])
def test_template_cannot_include_a_file_outside_the_template_folders(tmp_path, demo_client,
                                                                      target):
    folder = override(tmp_path / "tpl", '{% include "' + target + '" %}')
    with pytest.raises(TemplateError) as excinfo:
        worksheet_html("listening", demo_client, templates_dir=folder)
    assert excinfo.value.detail == "template not found"


# --- the URL fetcher ----------------------------------------------------------------------------

@pytest.mark.parametrize("body, url, reason", [
    ('<img src="file:///etc/hostname">', "file:///etc/hostname", "outside"),
    ('<img src="https://example.com/x.png">', "https://example.com/x.png", "only files"),
    ('<img src="http://example.com/x.png">', "http://example.com/x.png", "only files"),
    ('<img src="ftp://example.com/x.png">', "ftp://example.com/x.png", "only files"),
    (f'<img src="{PNG_DATA_URL}">', PNG_DATA_URL, "only files"),
    ('<style>@import url(https://example.com/x.css);</style><p>x</p>',
     "https://example.com/x.css", "only files"),
    ('<style>p { background: url(file:///etc/passwd) }</style><p>x</p>',
     "file:///etc/passwd", "outside"),
    ('<p style="background: url(http://example.com/a.png)">x</p>',
     "http://example.com/a.png", "only files"),
    ('<style>@font-face { font-family: X; src: url(https://example.com/f.ttf) }'
     ' p { font-family: X }</style><p>x</p>', "https://example.com/f.ttf", "only files"),
    ('<link rel="stylesheet" href="https://example.com/x.css"><p>x</p>',
     "https://example.com/x.css", "only files"),
    ('<img src="//example.com/x.png">', "file://example.com/x.png", "outside"),
], ids=["file-outside", "https", "http", "ftp", "data", "css-import", "css-background-file",
        "inline-style-http", "font-face-https", "stylesheet-link", "scheme-relative"])
def test_resource_outside_the_template_folders_is_blocked(tmp_path, demo_client, no_network,
                                                          body, url, reason):
    folder = override(tmp_path / "tpl", body)
    out = tmp_path / "out.pdf"
    with pytest.raises(BlockedResourceError) as excinfo:
        render_worksheet("listening", demo_client, out, templates_dir=folder)
    assert excinfo.value.url == (url if len(url) <= 120 else url[:117] + "...")
    assert reason in excinfo.value.reason
    assert no_network == []
    assert not out.exists()


def test_relative_path_escaping_the_template_folder_is_blocked(tmp_path, demo_client):
    folder = override(tmp_path / "tpl", '<img src="../../etc/hostname">')
    with pytest.raises(BlockedResourceError) as excinfo:
        render_worksheet("listening", demo_client, tmp_path / "out.pdf", templates_dir=folder)
    assert excinfo.value.reason == "outside the template folder"
    assert excinfo.value.url == (tmp_path.parent / "etc" / "hostname").resolve().as_uri()


def test_symlink_inside_the_template_folder_pointing_outside_is_blocked(tmp_path, demo_client):
    secret = tmp_path / "private" / "secret.svg"
    secret.parent.mkdir()
    shutil.copy(templates_dir() / "images" / "tick-row.svg", secret)
    folder = override(tmp_path / "tpl", '<img src="innocent.svg">')
    (folder / "innocent.svg").symlink_to(secret)
    with pytest.raises(BlockedResourceError) as excinfo:
        render_worksheet("listening", demo_client, tmp_path / "out.pdf", templates_dir=folder)
    assert excinfo.value.reason == "outside the template folder"


def test_missing_file_inside_the_template_folder_is_blocked(tmp_path, demo_client):
    folder = override(tmp_path / "tpl", '<img src="nope.png">')
    with pytest.raises(BlockedResourceError) as excinfo:
        render_worksheet("listening", demo_client, tmp_path / "out.pdf", templates_dir=folder)
    assert excinfo.value.reason == "file not found"


def test_files_inside_the_override_and_built_in_folders_may_be_used(tmp_path, demo_client,
                                                                     no_network):
    builtin = (templates_dir() / "images" / "tick-row.svg").as_uri()
    folder = override(tmp_path / "tpl",
                      f'<img src="own.svg" alt="a picture"><img src="{builtin}" alt="a picture">')
    shutil.copy(templates_dir() / "images" / "column-rules.svg", folder / "own.svg")
    result = render_worksheet("listening", demo_client, tmp_path / "out.pdf",
                              templates_dir=folder)
    assert result.pages == 1
    assert no_network == []


def test_svg_image_pointing_outside_is_refused_by_the_fetcher(tmp_path, demo_client, caplog,
                                                              no_network, monkeypatch):
    # WeasyPrint draws SVG images while writing the PDF and only logs errors
    # there; the fetcher records its refusals so the render still stops.
    fetcher_cls, _ = pdf_module._fetcher_class()
    seen = []
    original = fetcher_cls.fetch

    def spy(self, url, headers=None):
        try:
            return original(self, url, headers)
        except BaseException as stop:  # noqa: B036 - our refusal is a BaseException
            seen.append((url, stop.error.reason))
            raise

    monkeypatch.setattr(fetcher_cls, "fetch", spy)
    folder = override(tmp_path / "tpl", '<svg width="20" height="20">'
                      '<image href="file:///etc/hostname" width="10" height="10"/>'
                      '<image href="https://example.com/a.png" width="10" height="10"/></svg>')
    out = tmp_path / "out.pdf"
    try:
        with pytest.raises(BlockedResourceError):
            render_worksheet("listening", demo_client, out, templates_dir=folder)
    finally:
        caplog.clear()  # WeasyPrint's own "Failed to render SVG image" log is expected
    assert ("file:///etc/hostname", "outside the template folder") in seen
    assert no_network == []
    assert not out.exists()


def test_svg_image_pointing_outside_stops_the_render(tmp_path, demo_client, caplog, no_network):
    folder = override(tmp_path / "tpl", '<svg width="20" height="20">'
                      '<image href="file:///etc/hostname" width="10" height="10"/></svg>')
    try:
        with pytest.raises(BlockedResourceError):
            render_worksheet("listening", demo_client, tmp_path / "out.pdf",
                             templates_dir=folder)
    finally:
        caplog.clear()


def test_nul_byte_in_a_file_url_is_blocked(tmp_path, demo_client):
    folder = override(tmp_path / "tpl", '<img src="file:///etc/hostname%00">')
    try:
        render_worksheet("listening", demo_client, tmp_path / "out.pdf", templates_dir=folder)
    except BaseException as error:  # noqa: B036 - FatalURLFetchingError is a BaseException
        assert isinstance(error, BlockedResourceError), type(error)
    else:
        pytest.fail("the render was not stopped")


def test_image_allowed_in_one_render_is_not_served_to_another_from_the_cache(tmp_path,
                                                                             demo_client):
    first = tmp_path / "first"
    first.mkdir()
    private = first / "private.svg"
    shutil.copy(templates_dir() / "images" / "tick-row.svg", private)
    img = f'<img src="{private.as_uri()}" alt="a picture">'
    render_worksheet("listening", demo_client, tmp_path / "a.pdf",
                     templates_dir=override(first, img))
    with pytest.raises(BlockedResourceError):
        render_worksheet("listening", demo_client, tmp_path / "b.pdf",
                         templates_dir=override(tmp_path / "second", img))


# --- no embedded files --------------------------------------------------------------------------

def embedded_files(path):
    reader = PdfReader(str(path))
    names = reader.trailer["/Root"].get("/Names")
    names = names.get_object() if names is not None else {}
    annotations = [annot.get_object().get("/Subtype") for page in reader.pages
                   for annot in (page.get("/Annots") or [])]
    return dict(reader.attachments), "/EmbeddedFiles" in names, annotations


def attachment_template(tmp_path):
    """An override whose page links a file in its own folder and one in ours as attachments."""
    folder = tmp_path / "tpl"
    (folder / "fonts").mkdir(parents=True)
    shutil.copy(templates_dir() / "fonts" / "WorksheetsSans-Regular.ttf", folder / "fonts")
    builtin = (templates_dir() / "fonts" / "WorksheetsSans-Bold.ttf").as_uri()
    return override(
        folder, '<p><a rel="attachment" href="fonts/WorksheetsSans-Regular.ttf">font</a>'
                f' <a rel="attachment" href="{builtin}">bold</a></p>',
        head='<link rel="attachment" href="fonts/WorksheetsSans-Regular.ttf" title="f">\n'
             f'<link rel="attachment" href="{builtin}">\n')


def test_attachment_links_never_embed_files(tmp_path, demo_client):
    folder = attachment_template(tmp_path)
    out = tmp_path / "out.pdf"
    render_worksheet("listening", demo_client, out, templates_dir=folder)
    attachments, has_embedded_files, annotations = embedded_files(out)
    assert attachments == {}
    assert not has_embedded_files
    assert "/FileAttachment" not in annotations


def test_attachment_links_would_embed_files_without_the_library(tmp_path, demo_client):
    # The control for the test above: plain WeasyPrint does embed these files.
    import weasyprint

    folder = attachment_template(tmp_path)
    html = worksheet_html("listening", demo_client, templates_dir=folder)
    out = tmp_path / "plain.pdf"
    weasyprint.HTML(string=html, base_url=folder.resolve().as_uri() + "/").write_pdf(
        out, stylesheets=[weasyprint.CSS(filename=str(templates_dir() / "print.css"))],
        full_fonts=True)
    attachments, has_embedded_files, annotations = embedded_files(out)
    assert set(attachments) == {"WorksheetsSans-Regular.ttf", "WorksheetsSans-Bold.ttf"}
    assert has_embedded_files
    assert annotations.count("/FileAttachment") == 2


# --- atomic write -------------------------------------------------------------------------------

@pytest.fixture
def good_pdf(tmp_path, demo_client):
    out = tmp_path / "out" / "listening.pdf"
    render_worksheet("listening", demo_client, out)
    return out, out.read_bytes()


def test_blocked_render_leaves_the_existing_pdf_unchanged(tmp_path, demo_client, good_pdf):
    out, before = good_pdf
    folder = override(tmp_path / "tpl", '<img src="file:///etc/hostname">')
    with pytest.raises(BlockedResourceError):
        render_worksheet("listening", demo_client, out, templates_dir=folder)
    assert out.read_bytes() == before
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def test_template_error_leaves_the_existing_pdf_unchanged(tmp_path, demo_client, good_pdf):
    out, before = good_pdf
    folder = override(tmp_path / "tpl", "{{ client.no_such_field }}")
    with pytest.raises(TemplateError):
        render_worksheet("listening", demo_client, out, templates_dir=folder)
    assert out.read_bytes() == before
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def test_failure_while_replacing_leaves_no_temp_file_and_the_old_pdf(demo_client, good_pdf,
                                                                      monkeypatch):
    out, before = good_pdf
    calls = []

    def failing_replace(src, dst):
        calls.append(src)
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files_module.os, "replace", failing_replace)
    with pytest.raises(OutputError) as excinfo:
        render_packet(demo_client, out)
    assert calls, "os.replace was never reached"
    assert excinfo.value.path == str(out)
    assert excinfo.value.reason == ("the folder is read-only or not yours to write in; "
                                    "choose another folder")
    assert out.read_bytes() == before
    assert temp_files(out.parent) == []
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def test_unexpected_error_while_writing_leaves_no_temp_file(demo_client, good_pdf, monkeypatch):
    out, before = good_pdf

    def failing_fsync(fd):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(files_module.os, "fsync", failing_fsync)
    with pytest.raises(RuntimeError, match="disk on fire"):
        render_worksheet("listening", demo_client, out)
    assert out.read_bytes() == before
    assert temp_files(out.parent) == []


def test_successful_render_replaces_the_pdf_and_leaves_no_temp_file(make_client, good_pdf):
    out, before = good_pdf
    render_worksheet("listening", make_client(name="Sam"), out)
    assert out.read_bytes() != before
    assert "Sam" in pdf_text(out)
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def test_output_path_that_is_a_folder_is_refused(tmp_path, demo_client):
    with pytest.raises(OutputError) as excinfo:
        render_worksheet("listening", demo_client, tmp_path)
    assert "is a folder" in excinfo.value.reason
    assert temp_files(tmp_path) == []


def test_output_folder_below_a_file_is_refused(tmp_path, demo_client):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    with pytest.raises(OutputError):
        render_worksheet("listening", demo_client, blocker / "out.pdf")
    assert blocker.read_text() == "not a folder"


def test_missing_output_folders_are_created(tmp_path, demo_client):
    out = tmp_path / "a" / "b" / "out.pdf"
    render_worksheet("listening", demo_client, out)
    assert out.read_bytes().startswith(b"%PDF-")


# --- long and international text ----------------------------------------------------------------

WORDS = "Café señora Straße Łódź Καλημέρα Привет "
NAME = ("Zoë Ñúñez-Łukasiewicz Καλημέρα Привет Straße " * 2)[:60]
LONG_WORD = "W" * 300


def long_ladder(words: str = WORDS) -> dict:
    text = (words * 10)[:300]
    steps = [{"step": LONG_WORD if i == 5 else text, "distress": i * 8,
              "note": text if i % 3 == 0 else None} for i in range(12)]
    return {"steps": [{k: v for k, v in s.items() if v is not None} for s in steps]}


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_long_international_ladder_renders_with_only_our_fonts(tmp_path, make_client, paper):
    client = make_client(name=NAME, ladder=long_ladder(),
                         therapist={"name": "Dr. Øyvind Ström", "practice": "Praxis Grüße"})
    assert len(client.name) == 60
    assert all(len(s.step) == 300 for s in client.ladder.steps)
    out = tmp_path / f"ladder-{paper}.pdf"
    result = render_worksheet("ladder", client, out, paper=paper)
    assert result.pages >= 3
    fonts = pdf_fonts(out)
    assert fonts and all(f.startswith("Worksheets-") for f in fonts), fonts
    text = pdf_text(out)
    for word in ("Café", "señora", "Straße", "Łódź", "Καλημέρα", "Привет", "Zoë",
                 "Ñúñez-Łukasiewicz", "Praxis Grüße"):
        assert word in text, word
    assert PdfReader(str(out)).metadata.author == "Dr. Øyvind Ström"
    # The unbroken 300-letter word wraps onto several lines instead of running off the page.
    runs = [len(run) for run in re.findall(r"W{5,}", text)]
    assert sum(runs) == 300 and max(runs) < 100, runs


def test_emoji_in_client_text_renders_with_our_fonts_and_reads_back(tmp_path, make_client):
    client = make_client(name="Alex 🙂", ladder={"steps": [
        {"step": "Smile 🙂 at Maya ✓", "distress": 10}]})
    out = tmp_path / "ladder.pdf"
    render_worksheet("ladder", client, out)
    text = pdf_text(out)
    assert "Alex 🙂" in text
    assert "Smile 🙂 at Maya ✓" in text
    fonts = pdf_fonts(out)
    # The shipped symbols font has both the emoji and the tick: no system font may step in.
    assert all(f.startswith("Worksheets-") for f in fonts), fonts
    assert any(f.startswith("Worksheets-Symbols") for f in fonts), fonts
