"""The Jinja environment: search path, sandbox, autoescape, strict values, filters.

Templates are found through an ordered search path, the practice folder
first and then the built-in ``worksheet_templates/``, so one template can be
replaced without copying the rest. The built-ins are also reachable as
``builtin/NAME``, so a practice template can extend the built-in one of the
same name and replace a single block. Practice templates render in the same
sandbox. Client text only ever arrives as data: it is escaped on output and
never compiled as template source.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from .errors import TemplateError
from .resources import templates_dir

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def long_date(value: dt.date) -> str:
    """A date that reads the same everywhere: ``24 November 2026``."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def search_path(override: str | os.PathLike | None = None) -> list[Path]:
    """The folders templates and assets are looked up in, first match wins."""
    folders = [Path(override).resolve()] if override else []
    return [*folders, templates_dir()]


@functools.lru_cache(maxsize=8)
def _environment(folders: tuple[Path, ...]) -> ImmutableSandboxedEnvironment:
    builtin = jinja2.FileSystemLoader(str(folders[-1]))
    loaders = [jinja2.FileSystemLoader(str(f)) for f in folders[:-1]]
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader([*loaders, jinja2.PrefixLoader({"builtin": builtin}),
                                    builtin]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,  # a template edited in a long-running notebook is seen
    )
    env.filters["longdate"] = long_date
    return env


def environment(override: str | os.PathLike | None = None) -> ImmutableSandboxedEnvironment:
    """The (cached) sandboxed environment for a search path."""
    return _environment(tuple(search_path(override)))


def _failing_template(error: BaseException, fallback: str) -> str:
    """The template file a Jinja error happened in, from the rewritten traceback."""
    name = getattr(error, "name", None) or getattr(error, "filename", None)
    tb = error.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            name = filename
        tb = tb.tb_next
    return Path(name).name if name else fallback


_SELF_REFERENCE = re.compile(r"""\{%-?\s*(?:extends|include|import|from)\s+["']([^"']+)["']""")


def _self_reference(template: str, override: str | os.PathLike | None) -> TemplateError:
    """A template that extends or includes itself (an endless loop), named with its line."""
    folder = Path(override) if override else None
    for path in sorted(folder.glob("*.j2")) if folder and folder.is_dir() else []:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for number, line in enumerate(lines, start=1):
            if any(name == path.name for name in _SELF_REFERENCE.findall(line)):
                return TemplateError(path.name, f"line {number}: extends or includes itself; to "
                                                f"change one part, extend \"builtin/{path.name}\" "
                                                "instead")
    return TemplateError(template, "extends or includes itself in a loop; to change one part, "
                                   "extend \"builtin/NAME\" instead")


def _translate(error: BaseException, template: str) -> TemplateError:
    where = _failing_template(error, template)
    if isinstance(error, jinja2.UndefinedError):
        # Jinja's message names the missing variable or attribute, never a value.
        field = str(error.message or "").split("'")[-2] if "'" in str(error.message) else None
        return TemplateError(where, f"missing value {field!r}" if field else "missing value",
                             field)
    if isinstance(error, jinja2.TemplateNotFound):
        return TemplateError(error.name or where, "template not found")
    if isinstance(error, jinja2.TemplateSyntaxError):
        return TemplateError(Path(error.filename or where).name,
                             f"syntax error on line {error.lineno}: {error.message}")
    if isinstance(error, jinja2.exceptions.SecurityError):
        return TemplateError(where, "the template tried something the sandbox forbids")
    return TemplateError(where, f"{type(error).__name__} while rendering")


def render_template(name: str, context: dict[str, Any],
                    override: str | os.PathLike | None = None) -> str:
    """Render a whole template to an HTML string."""
    try:
        return environment(override).get_template(name).render(context)
    except RecursionError:
        raise _self_reference(name, override) from None
    except jinja2.TemplateError as error:
        raise _translate(error, name) from None


#: Marks around a document's body in the rendered HTML (see ``base.html.j2``). Client text
#: cannot hold them: autoescape turns its "<" into "&lt;".
BODY_START, BODY_END = "<!--worksheet-body-->", "<!--/worksheet-body-->"


def render_body(name: str, context: dict[str, Any],
                override: str | os.PathLike | None = None) -> Markup:
    """Render a document's body (its ``worksheet`` block) for the packet.

    The whole template is rendered, so a practice template that extends a
    built-in one and replaces only one block works here too. The output was
    rendered with autoescape on, so it is safe HTML.
    """
    page = render_template(name, context, override)
    start, end = page.find(BODY_START), page.rfind(BODY_END)
    if start < 0 or end < start:
        raise TemplateError(name, "has no worksheet block (extend base.html.j2 and fill "
                                  "the block \"worksheet\")")
    return Markup(page[start + len(BODY_START):end])
