"""The project's exceptions: one ``WorksheetError`` base and a few subclasses.

Every message here names fields, templates and files, never a client's free
text, so an error can be printed, logged or shown in a notebook safely. The
command line turns any ``WorksheetError`` into one line per problem and exit
code 1; the library never prints and never exits.
"""

from __future__ import annotations

from typing import NamedTuple


class WorksheetError(Exception):
    """Base of every error the library raises for a user's mistake."""

    def lines(self) -> list[str]:
        """The message as one or more lines for the command line."""
        return [str(self)]


class Problem(NamedTuple):
    """One validation problem: a field path and a plain message."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ClientFileError(WorksheetError):
    """Raised when a client file cannot be read or fails validation.

    ``problems`` holds every problem found, each a :class:`Problem` with a
    field path such as ``ladder.steps[3].distress``; ``source`` names the file.
    """

    def __init__(self, problems: list[Problem], source: str = "client file"):
        self.problems = list(problems)
        self.source = source
        super().__init__(f"{source}: " + "; ".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [f"{self.source}: {p}" for p in self.problems]

    def __reduce__(self):
        return (type(self), (self.problems, self.source))


class PracticeError(ClientFileError):
    """Raised when a practice folder is missing or unreadable, or ``practice.yaml`` is wrong.

    Like :class:`ClientFileError`: ``problems`` holds every problem with its
    field path (``logo``, ``accent``), ``source`` names the folder or file.
    """


class UnknownWorksheetError(WorksheetError):
    """Raised when a document name is not in the registry."""

    def __init__(self, name: str, known: list[str]):
        self.name = name
        self.known = list(known)
        super().__init__(f"unknown worksheet {name!r}; choose from: {', '.join(known)}")

    def __reduce__(self):
        return (type(self), (self.name, self.known))


class TemplateError(WorksheetError):
    """Raised when a template is broken or asks for a value it was not given.

    ``template`` is the template's file name and ``field`` the missing value's
    name when one is missing.
    """

    def __init__(self, template: str, detail: str, field: str | None = None):
        self.template = template
        self.detail = detail
        self.field = field
        super().__init__(f"template {template}: {detail}")

    def __reduce__(self):
        return (type(self), (self.template, self.detail, self.field))


class BlockedResourceError(WorksheetError):
    """Raised when a template asks WeasyPrint for a resource outside our assets.

    Only files inside the template folders may be fetched: no http(s), no ftp,
    no other ``file://`` path, no ``data:`` URL.
    """

    def __init__(self, url: str, reason: str):
        self.url = url
        self.reason = reason
        super().__init__(f"blocked resource {url}: {reason}")

    def __reduce__(self):
        return (type(self), (self.url, self.reason))


class OutputError(WorksheetError):
    """Raised when the PDF cannot be written where it was asked to go."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"cannot write {path}: {reason}")

    def __reduce__(self):
        return (type(self), (self.path, self.reason))


class CasebookError(WorksheetError):
    """Raised when a casebook cannot be used, or a change to it could not be saved.

    ``path`` names the file and ``reason`` says what is wrong and what to do.
    ``kind`` names the problem for programs that word it their own way (the
    client's journal app): ``missing``, ``folder``, ``not-casebook``, ``newer``,
    ``damaged``, ``damaged-wal``, ``foreign-wal``, ``read-only``, ``disk-full``,
    ``busy``, ``moved``, ``record`` or ``unusable``. The message never holds a
    client's text.
    """

    def __init__(self, path: str, reason: str, kind: str = "unusable"):
        self.path = path
        self.reason = reason
        self.kind = kind
        super().__init__(f"casebook {path}: {reason}")

    def __reduce__(self):
        return (type(self), (self.path, self.reason, self.kind))


class ClientNotFoundError(WorksheetError):
    """Raised when a client id is not valid or not in the casebook.

    The message never repeats the id that was typed.
    """

    def __init__(self, reason: str = "no client with that id in the casebook"):
        self.reason = reason
        super().__init__(f"client id: {reason}")

    def __reduce__(self):
        return (type(self), (self.reason,))


class RecordError(WorksheetError):
    """Raised when a record cannot be stored: a duplicate, or a record that is not there."""


class BundleError(WorksheetError):
    """Raised when an export bundle cannot be imported; nothing is changed."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        super().__init__(f"{source}: " + "; ".join(self.problems))

    def lines(self) -> list[str]:
        return [f"{self.source}: {p}" for p in self.problems]

    def __reduce__(self):
        return (type(self), (self.source, self.problems))
