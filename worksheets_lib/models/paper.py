"""The paper sizes we print on: one table, read by the models, the PDF layer and the CLI."""

from __future__ import annotations

from typing import Literal, NamedTuple


class PaperSize(NamedTuple):
    """A paper size: its CSS ``@page size`` keyword, width and height in mm, and its label."""

    css: str
    width_mm: float
    height_mm: float
    label: str


PAPER_SIZES: dict[str, PaperSize] = {
    "a4": PaperSize("A4", 210.0, 297.0, "A4"),
    "letter": PaperSize("letter", 215.9, 279.4, "US Letter"),
}
#: The paper used when neither the command, the workbook nor the practice names one.
DEFAULT_PAPER = "a4"

Paper = Literal["a4", "letter"]
assert set(Paper.__args__) == set(PAPER_SIZES)  # the type and the table agree
