"""HTTP input for the rep's sharing. The rules (and their messages) live in portal.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from quotery.core.forms import PassedOnTextField
from quotery.core.text import EMAIL_MAX
from quotery.portal.services.answers import MESSAGE_MAX as ANSWER_TEXT_MAX
from quotery.portal.services.sharing import MESSAGE_MAX, NAME_MAX
from quotery.quotes.models import Quote
from quotery.sharing.models import DeclineReason

# More fields than any quote offers options: the rest of a forged form is not read.
MAX_POSTED = 2000


class ShareForm(forms.Form):
    """Parses the share form; `share_send` judges it, so a field's message is the same
    whether it comes from the dialog, the plain page or a test."""

    recipient_name = PassedOnTextField(
        label="Client name",
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": NAME_MAX}),
    )
    recipient_email = PassedOnTextField(
        label="Client email",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "maxlength": EMAIL_MAX}),
    )
    message = PassedOnTextField(
        label="Personal message",
        help_text=f"Optional. Up to {MESSAGE_MAX} characters. It starts the conversation "
        "the client sees on the quote's page.",
        widget=forms.Textarea(attrs={"rows": 5, "data-counter-max": MESSAGE_MAX}),
    )

    @classmethod
    def for_quote(cls, quote: Quote, **options: Any) -> ShareForm:
        """An empty form for the quote, the client's name and email taken from its contact."""
        contact = quote.contact
        initial = {
            "recipient_name": contact.name if contact else "",
            "recipient_email": contact.email if contact else "",
        }
        return cls(initial=initial, **options)


class AcceptForm(forms.Form):
    """The client's acceptance: typed name, email, the consent box (unchecked until they
    tick it), and the content hash of the revision the page showed them (SECURITY.md 11, 13).
    `quote_accept` judges the values; this only parses them."""

    signer_name = PassedOnTextField(
        label=_("Your full name"),
        widget=forms.TextInput(attrs={"autocomplete": "name", "maxlength": NAME_MAX}),
    )
    signer_email = PassedOnTextField(
        label=_("Your email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "maxlength": EMAIL_MAX}),
    )
    consent = forms.BooleanField(required=False)
    revision_hash = PassedOnTextField(widget=forms.HiddenInput)
    # On a quote with options: the hash of the choices the form was shown with.
    configuration_hash = PassedOnTextField(widget=forms.HiddenInput)
    # The language the form (and its consent text) was shown in.
    language = PassedOnTextField(widget=forms.HiddenInput)


# ---------------------------------------------------------------------------------------
# The client's other answers and the conversation. `quotery.portal.services.answers` judges
# the values (and words the errors); these forms only parse them.


class ChangesForm(forms.Form):
    message = PassedOnTextField(
        label=_("What would you like changed?"),
        help_text=format_lazy(
            _("Up to {max} characters. It also stays in the conversation on the quote's page."),
            max=ANSWER_TEXT_MAX,
        ),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": ANSWER_TEXT_MAX}),
    )


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are you declining? (optional)"),
        required=False,
        choices=DeclineReason.choices,
        widget=forms.RadioSelect,
    )
    detail = PassedOnTextField(
        label=_("Anything you would like to add? (optional)"),
        help_text=format_lazy(_("Up to {max} characters."), max=ANSWER_TEXT_MAX),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": ANSWER_TEXT_MAX}),
    )


class ClientMessageForm(forms.Form):
    body = PassedOnTextField(
        label=_("Write a message"),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": ANSWER_TEXT_MAX}),
    )


class RepMessageForm(forms.Form):
    body = PassedOnTextField(
        label="Reply to the client",
        help_text="The client gets it by email with their link, and sees it on the quote's page.",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": ANSWER_TEXT_MAX}),
    )


def choices_data_from_post(content: dict[str, Any], post: QueryDict) -> dict[str, Any]:
    """The options form of the client page as a configuration to check
    (`quotery.quotes.options.configuration_from_data`): an optional line is in when its
    box is ticked (`include`), a choose-one section's radio is `choose.<section>`, an
    adjustable quantity `quantity.<line>`. What is posted for lines the quote does not offer
    is passed on, so it is refused by name rather than ignored."""
    included: dict[str, Any] = {key: True for key in post.getlist("include")[:MAX_POSTED]}
    chosen: dict[str, Any] = {}
    quantities: dict[str, Any] = {}
    for i, section in enumerate(content["sections"]):
        for j, line in enumerate(section["lines"]):
            key = f"{i}.{j}"
            if line.get("optional"):
                included.setdefault(key, False)
    for name in list(post.keys())[:MAX_POSTED]:
        if name.startswith("choose."):
            values = post.getlist(name)
            chosen[name.removeprefix("choose.")] = values[0] if len(values) == 1 else values
        elif name.startswith("quantity."):
            quantities[name.removeprefix("quantity.")] = post.get(name, "")
    return {"included": included, "chosen": chosen, "quantities": quantities}
