"""The small layer between ipywidgets and the models.

A :class:`Field` ties one widget to one model field and has a message line
beside it; a :class:`ModelForm` validates its fields through the model and
puts each problem next to the field it is about; a :class:`ListForm` holds a
changing number of sub-forms (caregivers, goals, ...). Every message comes
from the models' own table (``clientfile.problems_from``), so no message ever
repeats what the user typed.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import ipywidgets as w
from pydantic import BaseModel, ValidationError
from traitlets import TraitError

from ..clientfile import problems_from

M = TypeVar("M", bound=BaseModel)

LABEL_WIDTH = "13em"
WIDE = w.Layout(width="32em")
TEXTAREA = w.Layout(width="32em", height="5em")


def message_html(text: str, kind: str = "error") -> str:
    """A short, friendly message line (escaped); empty text gives an empty line."""
    if not text:
        return ""
    colour = {"error": "#9b1c1c", "ok": "#1e5b3a", "info": "#1e4a4d"}[kind]
    mark = {"error": "⚠", "ok": "✓", "info": "ℹ"}[kind]
    return (f'<span style="color:{colour}" class="ws-{kind}">{mark} '
            f"{html.escape(text)}</span>")


def named(widget: w.Widget, label: str) -> w.Widget:
    """Give a control its accessible name: its own ``<label>`` (kept for screen readers).

    The words are shown once, in our bold label beside or above the field; the
    control's label is read aloud but not drawn (``workbook.css`` hides it
    visually, never from screen readers).
    """
    if hasattr(widget, "description") and not widget.description:
        widget.description = label
        widget.add_class("ws-named")
    return widget


def _empty_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class Field:
    """One widget for one model field, with a message line next to it.

    *view* is what is shown when it is more than the one widget (a drop-down
    with a text box beside it, say).
    """

    def __init__(self, name: str, label: str, widget: w.ValueWidget, *,
                 to_model: Callable[[Any], Any] = _empty_to_none,
                 from_model: Callable[[Any], Any] | None = None, help: str = "",
                 view: w.Widget | None = None):
        self.name = name
        self.widget = widget
        self.to_model = to_model
        self.from_model = from_model or (lambda v: "" if v is None else v)
        self._default = widget.value
        self.message = w.HTML(layout=w.Layout(margin="0 0 0 0.5em"))
        label_widget = w.HTML(f"<b>{html.escape(label)}</b>"
                              + (f"<br><small>{html.escape(help)}</small>" if help else ""),
                              layout=w.Layout(width=LABEL_WIDTH, min_width=LABEL_WIDTH))
        named(widget, label)
        self.box = w.HBox([label_widget, view or widget, self.message],
                          layout=w.Layout(align_items="flex-start", margin="0 0 0.3em 0"))
        self.box.add_class("ws-field")

    @property
    def value(self) -> Any:
        return self.to_model(self.widget.value)

    def load(self, value: Any) -> None:
        self.widget.value = self._default if value is None else self.from_model(value)

    def show(self, text: str) -> None:
        self.message.value = message_html(text)

    def raw(self) -> Any:
        """What is in the widget now, as JSON (a draft keeps it; see :meth:`restore`)."""
        value = self.widget.value
        return value.isoformat() if isinstance(value, dt.date) else value

    def restore(self, value: Any) -> None:
        """Put back what :meth:`raw` gave (a value that no longer fits is skipped)."""
        if isinstance(self.widget, w.DatePicker):
            try:
                value = dt.date.fromisoformat(value) if value else None
            except (TypeError, ValueError):
                return
        try:
            self.widget.value = value
        except (TraitError, TypeError, ValueError):
            pass


def text(name: str, label: str, help: str = "", long: bool = False,
         placeholder: str = "") -> Field:
    """A free-text field (a text area when *long*)."""
    widget = (w.Textarea(layout=TEXTAREA, placeholder=placeholder) if long
              else w.Text(layout=WIDE, placeholder=placeholder))
    return Field(name, label, widget, help=help)


def choice(name: str, label: str, options: list[tuple[str, Any]], help: str = "") -> Field:
    """A drop-down of (label, value) options; the first is the default."""
    return Field(name, label, w.Dropdown(options=options, layout=w.Layout(width="20em")),
                 to_model=lambda v: v, from_model=lambda v: v, help=help)


def number(name: str, label: str, low: int, high: int, optional: bool = True,
           help: str = "") -> Field:
    """A whole number; an empty box means "not given" when *optional*."""
    widget = w.Text(layout=w.Layout(width="6em"), placeholder=f"{low}–{high}")

    def to_model(value: str) -> Any:
        value = value.strip()
        if not value:
            return None if optional else ""
        try:
            return int(value)
        except ValueError:
            return value  # the model says "must be a whole number"

    return Field(name, label, widget, to_model=to_model, from_model=str, help=help)


def date(name: str, label: str, help: str = "") -> Field:
    """A date picker."""
    return Field(name, label, w.DatePicker(layout=w.Layout(width="12em")),
                 to_model=lambda v: v, from_model=lambda v: v, help=help)


def flag(name: str, label: str) -> Field:
    """A tick box."""
    return Field(name, label, w.Checkbox(indent=False), to_model=bool,
                 from_model=bool)


class ModelForm(Generic[M]):
    """A form for one model: its fields, a form-level message, and validation."""

    def __init__(self, model: type[M], fields: list[Field], title: str = "",
                 lists: dict[str, ListForm] | None = None):
        self.model = model
        self.fields = {f.name: f for f in fields}
        self.lists = lists or {}
        self.message = w.HTML()
        children = ([w.HTML(f"<h4>{html.escape(title)}</h4>")] if title else [])
        self.box = w.VBox([*children, *(f.box for f in fields),
                           *(lf.box for lf in self.lists.values()), self.message])

    def data(self) -> dict[str, Any]:
        """The fields' values as model input (empty text is left out)."""
        return {name: f.value for name, f in self.fields.items() if f.value is not None}

    def load(self, model: M | None) -> None:
        """Show a stored model (or clear the form for None)."""
        for name, field in self.fields.items():
            field.load(getattr(model, name) if model is not None else None)
        for name, list_form in self.lists.items():
            list_form.load(getattr(model, name) if model is not None else [])
        self.clear()

    def clear(self) -> None:
        for field in self.fields.values():
            field.show("")
        self.message.value = ""

    def raw(self) -> dict[str, Any]:
        """Everything typed in the form, as JSON (for a draft)."""
        return {"fields": {name: f.raw() for name, f in self.fields.items()},
                "lists": {name: lf.raw() for name, lf in self.lists.items()}}

    def restore(self, raw: dict[str, Any]) -> None:
        """Put back what :meth:`raw` gave."""
        for name, value in (raw.get("fields") or {}).items():
            if name in self.fields:
                self.fields[name].restore(value)
        for name, items in (raw.get("lists") or {}).items():
            if name in self.lists:
                self.lists[name].restore(items)

    def validate(self, extra: dict[str, Any] | None = None) -> M | None:
        """The model, or None with every problem shown next to its field."""
        self.clear()
        nested = {name: list_form.validate() for name, list_form in self.lists.items()}
        try:
            # Lists with problems are left out here so the form's own fields are still
            # checked: every note shows at once.
            model = self.model.model_validate(
                {**self.data(), **{k: v for k, v in nested.items() if v is not None},
                 **(extra or {})})
        except ValidationError as error:
            self.show_problems([(p.path, p.message) for p in problems_from(error)])
            return None
        return None if any(v is None for v in nested.values()) else model

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        """Put each (path, message) next to its field, the rest under the form."""
        rest = []
        for path, text in problems:
            head = path.split(".", 1)[0].split("[", 1)[0]
            if head in self.fields and "." not in path and "[" not in path:
                self.fields[head].show(text)
            else:
                rest.append(f"{path}: {text}" if path else text)
        self.message.value = "<br>".join(message_html(t) for t in rest)


class ListForm(Generic[M]):
    """A changing list of sub-forms, each with a Remove button, and an Add button."""

    def __init__(self, make_form: Callable[[], ModelForm[M]], title: str, add_label: str,
                 max_items: int, empty_text: str = "Nothing added yet."):
        self.make_form = make_form
        self.max_items = max_items
        self.forms: list[ModelForm[M]] = []
        self.title = w.HTML(f"<h4>{html.escape(title)}</h4>" if title else "")
        self.empty = w.HTML(f"<i>{html.escape(empty_text)}</i>")
        self.items = w.VBox()
        self.add_button = w.Button(description=add_label, icon="plus",
                                   layout=w.Layout(width="auto", align_self="flex-start"))
        self.add_button.on_click(lambda _: self.add())
        self.message = w.HTML()
        self.box = w.VBox([self.title, self.empty, self.items, self.add_button, self.message])

    def add(self, model: M | None = None) -> ModelForm[M] | None:
        """Add a sub-form (filled from *model*); None when the list is full."""
        if len(self.forms) >= self.max_items:
            self.message.value = message_html(f"There is room for {self.max_items} at most.",
                                              "info")
            return None
        form = self.make_form()
        if model is not None:
            form.load(model)
        remove = w.Button(description="Remove", icon="trash",
                          layout=w.Layout(width="auto", align_self="flex-start"))
        form.remove_button = remove
        remove.on_click(lambda _, f=form: self.remove(f))
        form.frame = w.VBox([form.box, remove], layout=w.Layout(
            border="1px solid #b7c4c6", padding="0.5em", margin="0 0 0.6em 0"))
        self.forms.append(form)
        self._redraw()
        return form

    def remove(self, form: ModelForm[M]) -> None:
        self.forms.remove(form)
        self._redraw()

    def _redraw(self) -> None:
        self.items.children = [f.frame for f in self.forms]
        self.empty.layout.display = "none" if self.forms else None
        self.add_button.disabled = len(self.forms) >= self.max_items
        self.message.value = ""

    def load(self, models: list[M]) -> None:
        """Show stored items (replacing what the form held)."""
        self.forms = []
        for model in models:
            self.add(model)
        self._redraw()

    def raw(self) -> list[dict[str, Any]]:
        """Every item as typed, as JSON (for a draft)."""
        return [form.raw() for form in self.forms]

    def restore(self, items: list[dict[str, Any]]) -> None:
        """Put back what :meth:`raw` gave: as many items, each as it was typed."""
        self.forms = []
        for item in (items or [])[: self.max_items]:
            form = self.add()
            if form is not None and isinstance(item, dict):
                form.restore(item)
        self._redraw()

    def validate(self) -> list[M] | None:
        """Every item's model, or None when any item has a problem (shown at it)."""
        results = [form.validate() for form in self.forms]
        if any(r is None for r in results):
            self.message.value = message_html("Please look at the notes in red above.")
            return None
        return results


def today() -> dt.date:
    """Today's date (a seam for tests)."""
    return dt.date.today()
