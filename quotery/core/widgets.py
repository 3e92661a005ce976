"""Widgets that render without the template engine.

The quote editor shows up to a thousand inputs and a product picker on every line; rendering
each through Django's widget templates took seconds for a 200-line quote. Every value written
here goes through `html.escape` (quotes included).
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from typing import Any

from django import forms
from django.utils.safestring import SafeString, mark_safe


def html_attrs(attrs: dict[str, Any]) -> str:
    """' name="value"' pairs, escaped; True renders a bare attribute, None/False nothing."""
    parts = []
    for key, value in attrs.items():
        if value is True:
            parts.append(f" {escape(key)}")
        elif value is not None and value is not False:
            parts.append(f' {escape(key)}="{escape(str(value))}"')
    return "".join(parts)


class FastTextInput(forms.TextInput):
    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["type"] = self.input_type
        final["name"] = name
        formatted = self.format_value(value)
        if formatted is not None:
            final["value"] = formatted
        return mark_safe(f"<input{html_attrs(final)}>")  # noqa: S308 (escaped above)


class FastSelect(forms.Select):
    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {str(v) for v in self.format_value(value)}
        rendered = _escaped_options(tuple((v, str(label)) for v, label in self.choices))
        options = "".join(
            html.replace("<option ", "<option selected ", 1) if option in chosen else html
            for option, html in rendered
        )
        return mark_safe(f"<select{html_attrs(final)}>{options}</select>")  # noqa: S308


@lru_cache(maxsize=64)
def _escaped_options(choices: tuple[tuple[Any, str], ...]) -> tuple[tuple[str, str], ...]:
    """The escaped <option> tags of a choice list, computed once for every picker that
    shows the same list."""
    out = []
    for value, label in choices:
        option = "" if value is None else str(value)
        out.append((option, f'<option value="{escape(option)}">{escape(label)}</option>'))
    return tuple(out)


def field_group(field: forms.BoundField) -> SafeString:
    """Label, input, help text and errors of one field: what core/forms/field.html renders,
    without the template engine."""
    field_id = escape(field.auto_id or "")
    parts = [f'<label for="{escape(field.id_for_label or "")}">{escape(str(field.label))}</label>']
    parts.append(str(field))
    if field.help_text:
        parts.append(
            f'<small class="helptext" id="{field_id}_helptext">{escape(str(field.help_text))}'
            "</small>"
        )
    if field.errors:
        items = "".join(f"<li>{escape(str(error))}</li>" for error in field.errors)
        parts.append(f'<ul class="errorlist" id="{field_id}_error">{items}</ul>')
    return mark_safe("".join(parts))  # noqa: S308 (every part is escaped above)
