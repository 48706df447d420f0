"""The resident's forms of an opinion map: a statement of their own."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class StatementForm(forms.Form):
    text = forms.CharField(label=_("Your statement"), widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("One short claim others can agree or disagree with."),
                           error_messages={"required": _("Write your statement.")})
    website = forms.CharField(required=False, label=_("Leave this empty"))  # a honeypot for robots

    def __init__(self, *args, max_length: int = 280, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_length = max_length
        self.fields["text"].widget.attrs["maxlength"] = str(max_length)
        self.fields["text"].help_text = _("One short claim others can agree or disagree with, at most "
                                          "%(limit)d characters.") % {"limit": max_length}

    def clean_text(self):
        text = " ".join(self.cleaned_data["text"].split())
        if not text:
            raise forms.ValidationError(_("Write your statement."))
        if len(text) > self.max_length:
            raise forms.ValidationError(
                _("The statement is %(length)d characters long; the limit is %(limit)d. Shorten it a little.")
                % {"length": len(text), "limit": self.max_length})
        return text
