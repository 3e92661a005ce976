from __future__ import annotations

from django import forms, template
from django.utils.safestring import SafeString

from quotery.core.widgets import field_group as render_field_group

register = template.Library()


@register.simple_tag
def field_group(field: forms.BoundField) -> SafeString:
    """{% field_group form.quantity %}: label, input, help and errors, rendered fast."""
    return render_field_group(field)
