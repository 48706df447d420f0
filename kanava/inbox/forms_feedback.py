"""The resident's feedback and comment form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kanava.inbox.feedback import MAX_MESSAGE, MAX_NAME


class FeedbackForm(forms.Form):
    message = forms.CharField(
        label=_("Your message"), max_length=MAX_MESSAGE, widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": _("Write your message."),
            "max_length": _("Your message is too long: at most %(limit_value)s characters, and it has "
                            "%(show_value)s. Shorten it and send it again."),
        })
    name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=MAX_NAME,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}),
                           error_messages={"max_length": _("The name is too long: at most %(limit_value)s "
                                                           "characters.")})
    email = forms.EmailField(
        label=_("Your email address (optional)"), required=False, max_length=320,
        help_text=_("If you want an answer by email."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"}),
        error_messages={"invalid": _("Check the email address, for example name@example.fi. You can also "
                                     "leave it empty.")})
    accessibility = forms.BooleanField(
        label=_("This is about accessibility"), required=False,
        help_text=_("For example a web page, a document or a service that is hard to use with a disability. "
                    "We answer feedback about accessibility within 14 days."))
    # Left empty by people (it is hidden); bots fill in every field they see.
    website = forms.CharField(required=False, label=_("Leave this field empty"),
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args, comment: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if comment:
            self.fields["message"].label = _("Your comment")
            self.fields["message"].error_messages["required"] = _("Write your comment.")

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def visible_fields_in_order(self):
        return [self[name] for name in ("message", "name", "email", "accessibility")]
