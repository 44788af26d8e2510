"""The practice folder: the practice's name, logo, wording and look, found once.

A practice folder holds ``practice.yaml`` (every field optional), templates
that replace built-in ones of the same name (or extend ``builtin/NAME`` and
replace one block) and an optional ``practice.css`` applied after the
built-in stylesheet. It is found once, in this order: the folder named by the
caller (``--practice DIR``), the ``WORKSHEETS_PRACTICE`` environment variable,
then ``practice`` in the user's config folder (platformdirs). A folder that
was named but is missing or unreadable is an error naming it; the config
folder's is used only when it exists.

The practice folder is trusted like our own templates (it is the therapist's
own), but its files are still fetched only through the allow-listing fetcher
and its templates render in the same sandbox.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationError
from pydantic_core import PydanticCustomError

from .errors import PracticeError, Problem
from .models.common import Model, Name, text_field
from .models.paper import DEFAULT_PAPER, Paper
from .models.problems import problems_from

SETTINGS_FILE = "practice.yaml"
STYLESHEET = "practice.css"
ENVIRONMENT_VARIABLE = "WORKSHEETS_PRACTICE"
LOGO_SUFFIXES = (".png", ".svg")
MAX_SETTINGS_BYTES = 100_000
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _colour(value: str) -> str:
    if not _COLOUR.match(value):
        raise PydanticCustomError("colour", "must be a colour written like #1e4a4d")
    return value.lower()


def _file_name(value: str) -> str:
    if value.startswith(("/", "\\")) or ".." in Path(value).parts or ":" in value:
        raise PydanticCustomError("logo_path", "must be a file inside the practice folder, "
                                               "named from there (like logo.png)")
    if Path(value).suffix.lower() not in LOGO_SUFFIXES:
        raise PydanticCustomError("logo_kind", "must be a PNG or SVG file (.png or .svg)")
    return value


class PracticeSettings(Model):
    """What ``practice.yaml`` may hold; every field is optional."""

    name: Name | None = None  # printed in every footer instead of the client file's practice
    contact: text_field(160, one_line=True) | None = None  # a contact line for the cover
    logo: Annotated[text_field(200, one_line=True), AfterValidator(_file_name)] | None = None
    footer_note: text_field(160, one_line=True) | None = None
    accent: Annotated[str, AfterValidator(_colour)] | None = None
    crisis_line: text_field(400) | None = None  # printed where safety matters
    paper: Paper | None = Field(default=None)


@dataclass(frozen=True)
class Practice:
    """A practice folder (or none: the built-in look) and its settings."""

    folder: Path | None = None
    settings: PracticeSettings = field(default_factory=PracticeSettings)

    @property
    def logo_path(self) -> Path | None:
        if self.folder is None or self.settings.logo is None:
            return None
        return self.folder / self.settings.logo

    @property
    def paper(self) -> str:
        """The practice's paper, else the default."""
        return self.settings.paper or DEFAULT_PAPER

    def stylesheet(self) -> Path | None:
        """``practice.css``, when the folder has one."""
        if self.folder is not None and (self.folder / STYLESHEET).is_file():
            return self.folder / STYLESHEET
        return None

    def accent_css(self) -> str:
        """Rules that colour headings and rules in the accent colour ('' without one).

        The colour was checked against ``#rrggbb``, so it cannot end the rule.
        """
        colour = self.settings.accent
        if not colour:
            return ""
        return (f"h1, h2, .ws-title {{ color: {colour}; }} "
                f".ws-title, .cover-note {{ border-color: {colour}; }} "
                f".howto {{ border-left-color: {colour}; }}")

    def context(self, practice_name: str) -> dict[str, Any]:
        """What templates show: *practice_name* comes from the client file unless set here."""
        s = self.settings
        logo = self.logo_path
        return {"name": s.name or practice_name, "contact": s.contact,
                "logo_url": logo.resolve().as_uri() if logo else None,
                "footer_note": s.footer_note, "crisis_line": s.crisis_line}


NO_PRACTICE = Practice()


def default_folder() -> Path:
    """The practice folder in the user's config folder (used only when it exists)."""
    import platformdirs

    return platformdirs.user_config_path("worksheets") / "practice"


def find_practice(named: str | os.PathLike | Practice | None = None) -> Practice:
    """The practice: *named*, else ``$WORKSHEETS_PRACTICE``, else the config folder's."""
    if isinstance(named, Practice):
        return named
    if named is not None and str(named) != "":
        return load_practice(named)
    from_env = os.environ.get(ENVIRONMENT_VARIABLE)
    if from_env:
        return load_practice(from_env, source=f"{ENVIRONMENT_VARIABLE}={from_env}")
    folder = default_folder()
    return load_practice(folder) if folder.is_dir() else NO_PRACTICE


def _refuse(source: str, message: str, path: str = "") -> PracticeError:
    return PracticeError([Problem(path, message)], source)


def load_practice(folder: str | os.PathLike, source: str | None = None) -> Practice:
    """Read and check a practice folder; every problem in ``practice.yaml`` at once."""
    from .clientfile import parse_client_text

    path = Path(folder).expanduser()
    source = source or f"practice folder {path}"
    if not path.exists():
        raise _refuse(source, "there is no practice folder here; check the path")
    if not path.is_dir():
        raise _refuse(source, "is not a folder; name the practice folder itself")
    try:
        names = {p.name for p in path.iterdir()}
    except OSError:
        raise _refuse(source, "cannot be read: permission denied") from None
    path = path.resolve()
    if SETTINGS_FILE not in names:
        if "practice.yml" in names:
            raise _refuse(source, "rename practice.yml to practice.yaml")
        return Practice(path, PracticeSettings())
    settings_file = path / SETTINGS_FILE
    where = f"{source}: {SETTINGS_FILE}"
    try:
        with settings_file.open("rb") as handle:
            raw = handle.read(MAX_SETTINGS_BYTES + 1)
    except OSError:
        raise _refuse(where, "cannot be read: permission denied") from None
    if len(raw) > MAX_SETTINGS_BYTES:
        raise _refuse(where, "is too large to be practice settings")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(where, "must be saved as UTF-8 text") from None
    data = parse_client_text(text, where)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise _refuse(where, "must hold named fields such as name, logo and footer_note")
    try:
        settings = PracticeSettings.model_validate(data)
    except ValidationError as error:
        raise PracticeError(problems_from(error), where) from None
    logo = path / settings.logo if settings.logo else None
    if logo is not None:
        if not logo.is_file():
            raise _refuse(where, "file not found in the practice folder", "logo")
        if not logo.resolve().is_relative_to(path):
            raise _refuse(where, "must be a file inside the practice folder (not a link "
                                 "to somewhere else)", "logo")
    return Practice(path, settings)
