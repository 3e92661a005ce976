"""How every form field renders: label without a trailing colon, input, help, then errors."""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates


class QuoteryFormRenderer(DjangoTemplates):
    field_template_name = "core/forms/field.html"
