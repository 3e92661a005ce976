"""The fast widgets escape everything they write, like Django's own templates do."""

from __future__ import annotations

from django import forms

from quotery.core.widgets import FastSelect, FastTextInput, field_group

HOSTILE = '"><script>alert(1)</script>'


class HostileForm(forms.Form):
    text = forms.CharField(label=HOSTILE, widget=FastTextInput, help_text=HOSTILE)
    pick = forms.ChoiceField(
        label="Pick", choices=[("", "None"), (HOSTILE, HOSTILE), ("b", "B")], widget=FastSelect
    )


def test_text_input_escapes_the_value_and_attributes() -> None:
    html = FastTextInput(attrs={"data-x": HOSTILE}).render("name", HOSTILE)
    assert "<script>" not in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert html.startswith('<input data-x="&quot;&gt;')


def test_select_escapes_options_and_marks_the_chosen_one() -> None:
    form = HostileForm(initial={"pick": "b"})
    html = str(form["pick"])
    assert "<script>" not in html
    assert '<option selected value="b">B</option>' in html
    assert html.count("selected") == 1


def test_field_group_escapes_label_help_and_errors() -> None:
    form = HostileForm(data={"text": "", "pick": "zzz"})
    assert not form.is_valid()
    form.add_error("text", HOSTILE)
    html = field_group(form["text"])
    assert "<script>" not in html
    assert 'aria-invalid="true"' in html
    assert '<ul class="errorlist" id="id_text_error">' in html


def test_bare_boolean_attributes() -> None:
    html = FastTextInput().render("n", None, attrs={"required": True, "disabled": False})
    assert " required" in html
    assert "disabled" not in html
    assert "value=" not in html
