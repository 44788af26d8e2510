"""Fill our fillable PDFs as real readers do, for the tests.

- :func:`fill_with_pdfjs`: pdf.js, the reader in Firefox (``pdfjs-dist`` under
  Node, from ``tests/js``): values go through its annotation storage, then
  ``saveDocument()``.
- :func:`fill_with_pdfium`: pdfium, the reader in Chromium, through pypdfium2's
  form API: focus a text field, select all, type the value; click a tick box or
  a radio button; then save a copy.

*values* maps a field name to a string (text field), True/False (tick box) or
the value of the radio button to choose ("7", "yes", "more-distant").
"""

from __future__ import annotations

import ctypes
import json
import shutil
import subprocess
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as raw

JS = Path(__file__).resolve().parent.parent / "js"


def node_ready() -> bool:
    return shutil.which("node") is not None and (JS / "node_modules" / "pdfjs-dist").is_dir()


def radio_choices(path: Path) -> dict[str, list[str]]:
    """Each radio group's button values, in the order of its buttons (the /Opt array)."""
    choices = {}
    for name, field in (pypdf.PdfReader(path).get_fields() or {}).items():
        if field.get("/FT") == "/Btn" and "/Opt" in field:
            choices[name] = [str(option) for option in field["/Opt"]]
    return choices


def _as_states(path: Path, values: dict) -> dict:
    """Radio values as the button's state name (WeasyPrint names them 0, 1, ...)."""
    choices = radio_choices(path)
    return {name: (str(choices[name].index(str(value))) if name in choices else value)
            for name, value in values.items()}


def fill_with_pdfjs(source: Path, target: Path, values: dict) -> Path:
    wanted = target.with_suffix(".values.json")
    wanted.write_text(json.dumps(_as_states(source, values)), encoding="utf-8")
    subprocess.run(["node", str(JS / "fill_pdfjs.mjs"), str(source), str(target), str(wanted)],
                   check=True, capture_output=True, timeout=60)
    return target


# --- pdfium ----------------------------------------------------------------------------------

def _text(value: str):
    data = (value + "\0").encode("utf-16-le")
    return ctypes.cast(ctypes.create_string_buffer(data), ctypes.POINTER(raw.FPDF_WCHAR))


def _name(annot, form) -> str:
    size = raw.FPDFAnnot_GetFormFieldName(form, annot, None, 0)
    buffer = ctypes.create_string_buffer(size)
    raw.FPDFAnnot_GetFormFieldName(form, annot, ctypes.cast(buffer, ctypes.POINTER(raw.FPDF_WCHAR)),
                                   size)
    return buffer.raw[:size - 2].decode("utf-16-le")


def _export(annot, form) -> str:
    size = raw.FPDFAnnot_GetFormFieldExportValue(form, annot, None, 0)
    buffer = ctypes.create_string_buffer(size)
    raw.FPDFAnnot_GetFormFieldExportValue(
        form, annot, ctypes.cast(buffer, ctypes.POINTER(raw.FPDF_WCHAR)), size)
    return buffer.raw[:size - 2].decode("utf-16-le")


def _centre(annot) -> tuple[float, float]:
    rect = raw.FS_RECTF()
    raw.FPDFAnnot_GetRect(annot, rect)
    return (rect.left + rect.right) / 2, (rect.top + rect.bottom) / 2


def _click(form, page, x: float, y: float) -> None:
    """A tap: the pointer moves there, presses and lifts; then the field lets go of the focus."""
    raw.FORM_OnMouseMove(form, page, 0, x, y)
    raw.FORM_OnLButtonDown(form, page, 0, x, y)
    raw.FORM_OnLButtonUp(form, page, 0, x, y)
    raw.FORM_ForceToKillFocus(form)


def fill_with_pdfium(source: Path, target: Path, values: dict) -> Path:
    values = _as_states(source, values)
    document = pdfium.PdfDocument(str(source))
    document.init_forms()
    form = document.formenv.raw
    done = set()
    for page in document:
        raw.FORM_OnAfterLoadPage(page.raw, form)
        for index in range(raw.FPDFPage_GetAnnotCount(page.raw)):
            annot = raw.FPDFPage_GetAnnot(page.raw, index)
            try:
                if raw.FPDFAnnot_GetSubtype(annot) != raw.FPDF_ANNOT_WIDGET:
                    continue
                name = _name(annot, form)
                if name not in values:
                    continue
                kind = raw.FPDFAnnot_GetFormFieldType(form, annot)
                wanted = values[name]
                x, y = _centre(annot)
                if kind == raw.FPDF_FORMFIELD_TEXTFIELD:
                    raw.FORM_SetFocusedAnnot(form, annot)
                    raw.FORM_SelectAllText(form, page.raw)
                    raw.FORM_ReplaceSelection(form, page.raw, _text(str(wanted)))
                    raw.FORM_ForceToKillFocus(form)
                    done.add(name)
                elif kind == raw.FPDF_FORMFIELD_CHECKBOX:
                    checked = bool(raw.FPDFAnnot_IsChecked(form, annot))
                    if checked != bool(wanted):
                        _click(form, page.raw, x, y)
                    done.add(name)
                elif kind == raw.FPDF_FORMFIELD_RADIOBUTTON:
                    if _export(annot, form) == str(wanted) or \
                            raw.FPDFAnnot_GetFormControlIndex(form, annot) == int(wanted):
                        _click(form, page.raw, x, y)
                        done.add(name)
            finally:
                raw.FPDFPage_CloseAnnot(annot)
        raw.FORM_ForceToKillFocus(form)
        raw.FORM_OnBeforeClosePage(page.raw, form)
    missing = set(values) - done
    if missing:
        raise AssertionError(f"pdfium found no field called {', '.join(sorted(missing))}")
    document.save(target)
    document.close()
    return target
