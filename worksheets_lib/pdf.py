"""HTML to PDF with WeasyPrint: allow-listed fetching, fonts, paper, atomic write.

Security: WeasyPrint may read only files inside the template folders it is
given (``AssetFetcher``); everything else (http, https, ftp, data, any other
``file://`` path) stops the render with :class:`BlockedResourceError`. No file
is ever embedded as a PDF attachment, whatever the HTML says.

Speed: the fonts we ship are already cut down to the scripts we support, so
they are embedded whole (``full_fonts``) and no font subsetter runs. Parsed
stylesheets and the font configuration are kept for the life of the process,
so a warm render only lays out and writes the page.
"""

from __future__ import annotations

import atexit
import functools
import gc
import mimetypes
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from .errors import BlockedResourceError
from .files import write_atomically
from .models.paper import PAPER_SIZES

#: Options shared by every render; see the module docstring for why. Every PDF is
#: tagged (PDF/UA-1: a structure tree, the language, the title shown by readers).
PDF_OPTIONS = {"full_fonts": True, "hinting": False, "pdf_variant": "pdf/ua-1"}
#: Parsed images, kept across renders: one cache per set of allowed folders,
#: so an image allowed in one render is never served to another that may not
#: read it. Only lasting folders get a cache: a render that may also read a
#: temporary folder (the progress review's charts) uses one of its own, which
#: goes with it. At most this many caches are kept (the oldest goes first).
_IMAGE_CACHES: dict[tuple[Path, ...], dict] = {}
MAX_IMAGE_CACHES = 8
_FONTCONFIG_LOCK = threading.Lock()


def _weasyprint():
    # Imported on first use: it takes most of a cold start, and `worksheets
    # list` or a validation error should not pay for it.
    import weasyprint

    return weasyprint


@functools.lru_cache(maxsize=1)
def _fetcher_class():
    weasyprint = _weasyprint()
    from weasyprint.urls import FatalURLFetchingError, URLFetcherResponse

    class Blocked(FatalURLFetchingError):
        """Stops WeasyPrint at once; carries our own error."""

        def __init__(self, error: BlockedResourceError):
            super().__init__(str(error))
            self.error = error

    class AssetFetcher(weasyprint.URLFetcher):
        """Serves files from the allowed folders and refuses everything else.

        Every refusal is also kept in ``refused``: WeasyPrint swallows errors
        raised while it draws an SVG, so the caller checks this list after
        writing the PDF.
        """

        def __init__(self, roots: tuple[Path, ...]):
            super().__init__(allowed_protocols={"file"}, fail_on_errors=True)
            self.roots = roots
            self.refused: list[BlockedResourceError] = []

        def refuse(self, url: str, reason: str):
            error = BlockedResourceError(_short(url), reason)
            self.refused.append(error)
            return Blocked(error)

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme.lower() != "file":
                raise self.refuse(url, "only files inside the template folder may be used")
            try:
                path = Path(url2pathname(parts.path)).resolve()
            except (ValueError, OSError):  # a NUL byte, a loop of links ...
                raise self.refuse(url, "not a usable file name") from None
            if not any(path.is_relative_to(root) for root in self.roots):
                raise self.refuse(url, "outside the template folder")
            try:
                body = path.read_bytes()
            except (ValueError, OSError):
                raise self.refuse(url, "file not found") from None
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), body, {"Content-Type": kind})

    return AssetFetcher, FatalURLFetchingError


def _short(url: str) -> str:
    return url if len(url) <= 120 else url[:117] + "..."


_EMPTY_FONTCONFIG = (b'<?xml version="1.0"?>\n'
                     b'<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                     b"<fontconfig></fontconfig>\n")


@functools.lru_cache(maxsize=1)
def _font_config():
    """A font configuration that knows our @font-face fonts and nothing else.

    WeasyPrint's default configuration loads every font on the machine, and
    Pango then prefers an installed font over ours for some characters, so
    the same worksheet would print differently on different machines. An
    empty fontconfig file, read once while the configuration is created,
    leaves only the fonts our stylesheet declares.
    """
    from weasyprint.text.fonts import FontConfiguration

    # Dropped before interpreter shutdown: its __del__ removes a temporary folder
    # and fails noisily once the modules it needs are gone.
    atexit.register(_font_config.cache_clear)
    with _FONTCONFIG_LOCK, tempfile.TemporaryDirectory(prefix="worksheets-fontconfig-") as folder:
        conf = Path(folder) / "fonts.conf"
        conf.write_bytes(_EMPTY_FONTCONFIG)
        previous = os.environ.get("FONTCONFIG_FILE")
        os.environ["FONTCONFIG_FILE"] = str(conf)
        try:
            return FontConfiguration()
        finally:
            if previous is None:
                os.environ.pop("FONTCONFIG_FILE", None)
            else:
                os.environ["FONTCONFIG_FILE"] = previous


@functools.lru_cache(maxsize=16)
def _stylesheet(css_path: Path, mtime: float, roots: tuple[Path, ...]):
    weasyprint = _weasyprint()
    fetcher = _fetcher_class()[0](roots)
    return weasyprint.CSS(filename=str(css_path), url_fetcher=fetcher,
                          font_config=_font_config())


@functools.lru_cache(maxsize=4)
def _paper_sheet(paper: str):
    return _weasyprint().CSS(string=f"@page {{ size: {PAPER_SIZES[paper].css}; }}")


@functools.lru_cache(maxsize=8)
def _string_sheet(css: str):
    return _weasyprint().CSS(string=css, font_config=_font_config())


def _image_cache(roots: tuple[Path, ...], temporary: bool) -> dict:
    if temporary:
        return {}
    cache = _IMAGE_CACHES.pop(roots, None)
    if cache is None:
        cache = {}
        while len(_IMAGE_CACHES) >= MAX_IMAGE_CACHES:
            _IMAGE_CACHES.pop(next(iter(_IMAGE_CACHES)))
    _IMAGE_CACHES[roots] = cache  # most recently used last
    return cache


@dataclass(frozen=True)
class PdfFacts:
    """What was written: the file, its page count and its size in bytes."""

    path: Path
    pages: int
    size: int


class LayoutRejected(Exception):
    """Raised by :func:`make_pdf` when *accept* refused the layout; carries its answer."""

    def __init__(self, answer):
        super().__init__("layout refused")
        self.answer = answer


def make_pdf(html: str, *, roots: list[Path], stylesheets: list[Path],
             paper: str = "a4", extra_css: str = "",
             temporary_roots: list[Path] = (), accept=None, forms: bool = False,
             info: dict[str, str] | None = None) -> tuple[bytes, int]:
    """Lay out *html* and return the PDF's bytes and its page count (no file written).

    *roots* are the only folders resources may come from (the first is the
    base for relative URLs); *stylesheets* are CSS files inside them, applied
    in order, with *extra_css* (our own generated rules) between the first
    and the rest. *temporary_roots* may be read too, for this render only.
    *accept(pages)*, when given, looks at the laid-out pages first: anything but
    None stops here with :class:`LayoutRejected` carrying it (nothing written).
    *forms* turns the HTML form elements into PDF form fields; *info* adds
    entries to the PDF's document information (what matches answers back).
    """
    weasyprint = _weasyprint()
    fetcher_cls, fatal = _fetcher_class()
    lasting = tuple(Path(r).resolve() for r in roots)
    root_tuple = lasting + tuple(Path(r).resolve() for r in temporary_roots)
    fetcher = fetcher_cls(root_tuple)
    gc_was_on = gc.isenabled()
    # A render makes many short-lived objects; pausing
    # the cycle collector for its length saves a few milliseconds each time.
    gc.disable()
    try:
        sheets = [_stylesheet(Path(s).resolve(), Path(s).stat().st_mtime, lasting)
                  for s in stylesheets]
        if extra_css:
            sheets.insert(1, _string_sheet(extra_css))
        sheets.append(_paper_sheet(paper))
        document = weasyprint.HTML(
            string=html, base_url=root_tuple[0].as_uri() + "/", url_fetcher=fetcher,
        ).render(font_config=_font_config(), stylesheets=sheets,
                 cache=_image_cache(root_tuple, bool(temporary_roots)), pdf_forms=forms,
                 **PDF_OPTIONS)
        if accept is not None:
            answer = accept(document.pages)
            if answer is not None:
                raise LayoutRejected(answer)
        # Never embed files: drop <link rel="attachment"> and <a rel="attachment">.
        document.metadata.attachments = []
        for page in document.pages:
            page.links[:] = [link for link in page.links if link[0] != "attachment"]
        data = document.write_pdf(finisher=functools.partial(_finish, info=info or {}),
                                  pdf_forms=forms, **PDF_OPTIONS)
    except fatal as stop:
        # Our own refusal carries its error; WeasyPrint wraps anything else.
        error = getattr(stop, "error", None) or (fetcher.refused or [None])[0]
        raise error or BlockedResourceError("a resource", "could not be fetched") from None
    finally:
        if gc_was_on:
            gc.enable()
    if fetcher.refused:  # refused inside an SVG, where WeasyPrint only logs
        raise fetcher.refused[0]
    return data, len(document.pages)


def _finish(document, pdf, info: dict[str, str]) -> None:
    """Last touches to the PDF objects before they are written.

    WeasyPrint gives each radio button of a group the group's name too, so
    readers (pypdf, pdf.js) see one extra field per button: a button is a
    kid of its group and carries no name of its own. *info* goes into the
    document information dictionary.
    """
    import pydyf

    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and obj.get("Subtype") == "/Widget" \
                and "Parent" in obj:
            obj.pop("T", None)
            obj.pop("TU", None)
    for key, value in info.items():
        pdf.info[key] = pydyf.String(value)
    form = pdf.catalog.get("AcroForm")
    if form is not None:
        # Every tick box and radio button brings its own look when ticked and the
        # empty fields need none; a reader that fills a field draws it (pdf.js,
        # pdfium and Acrobat do). Asking readers to redraw every field instead
        # makes poppler drop the ticks, since WeasyPrint's buttons name no font.
        form["NeedAppearances"] = "false"


def write_pdf(data: bytes, pages: int, out: str | os.PathLike) -> PdfFacts:
    """Write PDF bytes to *out* atomically (temporary file, then rename).

    A failure leaves no partial file and never replaces an existing good one.
    """
    out = Path(out)
    write_atomically(out, data)
    return PdfFacts(out, pages, len(data))
