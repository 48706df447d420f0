"""Forms of ideas and initiatives: the resident's proposal and the staff answer, hiding and paper lists."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanava.core.models import LANGUAGE_NAMES
from kanava.participation import hetu
from kanava.participation.kinds.ideas.models import MAX_ANSWER, MAX_NAME, MAX_TEXT, MAX_TITLE, Idea
from kanava.participation.models import Contribution

TOO_LONG = _("This is too long: at most %(limit_value)s characters, and it has %(show_value)s. Shorten it and send "
             "it again.")


class ProposeForm(forms.Form):
    title = forms.CharField(label=_("Title of your idea"), max_length=MAX_TITLE,
                            error_messages={"required": _("Give your idea a title."), "max_length": TOO_LONG})
    text = forms.CharField(label=_("Describe your idea"), max_length=MAX_TEXT,
                           widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("What should be done, where, and why? Do not write anyone's personal details."),
                           error_messages={"required": _("Describe your idea."), "max_length": TOO_LONG})
    author_name = forms.CharField(label=_("Name shown with the idea (optional)"), required=False, max_length=MAX_NAME,
                                  help_text=_("Leave it empty to propose without a name."),
                                  widget=forms.TextInput(attrs={"autocomplete": "name"}),
                                  error_messages={"max_length": TOO_LONG})
    as_initiative = forms.BooleanField(
        label=_("Make this a municipal initiative"), required=False,
        help_text=_("An initiative collects signatures from residents identified with Suomi.fi. When two per cent of the "
                    "residents have signed, the council must consider it within six months."))
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    # Left empty by people (it is hidden); bots fill in every field they see.
    website = forms.CharField(required=False, label=_("Leave this field empty"),
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args, initiatives: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not initiatives:
            del self.fields["as_initiative"]
        if not self.is_bound and not self.initial.get("submission_key"):
            self.initial["submission_key"] = uuid.uuid4().hex

    def clean_title(self):
        return _no_control_characters(self.cleaned_data["title"])

    def clean_text(self):
        return _no_control_characters(self.cleaned_data["text"])

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def visible_fields_in_order(self):
        names = ["title", "text", "author_name"] + (["as_initiative"] if "as_initiative" in self.fields else [])
        return [self[name] for name in names]


def _no_control_characters(value: str) -> str:
    cleaned = "".join(ch for ch in value if ch in "\n\t" or ch.isprintable())
    if not cleaned.strip():
        raise forms.ValidationError(_("Write some text here."))
    return cleaned


class AnswerForm(forms.Form):
    """The public answer: a state and the reasons, in each language of the process."""

    state = forms.ChoiceField(label=_("Status"), choices=Idea.State.choices)

    def __init__(self, *args, languages=("fi",), **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = list(languages)
        for language in self.languages:
            self.fields[f"answer_{language}"] = forms.CharField(
                label=_("Answer and reasons (%(language)s)") % {"language": LANGUAGE_NAMES.get(language, language)},
                required=False, max_length=MAX_ANSWER, widget=forms.Textarea(attrs={"rows": 5, "lang": language}),
                error_messages={"max_length": TOO_LONG})

    def clean(self):
        cleaned = super().clean()
        state = cleaned.get("state")
        if state and state != Idea.State.SUBMITTED and not any(cleaned.get(f"answer_{l}", "").strip()
                                                                 for l in self.languages):
            raise forms.ValidationError(_("Write the answer and its reasons in at least one language."))
        return cleaned

    def answers(self) -> dict[str, str]:
        return {language: self.cleaned_data.get(f"answer_{language}", "") for language in self.languages}

    def answer_fields(self):
        return [self[f"answer_{language}"] for language in self.languages]


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Why is the idea hidden?"), max_length=500,
                             help_text=_("Shown on the public page in place of the idea."),
                             error_messages={"required": _("Write why the idea is hidden."), "max_length": TOO_LONG})


class RecordIdeaForm(forms.Form):
    """An idea received on paper, by phone, at an event or by letter."""

    source = forms.ChoiceField(label=_("Received as"), choices=[c for c in Contribution.Source.choices
                                                                if c[0] != Contribution.Source.ONLINE])
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE, error_messages={
        "required": _("Give the idea a title."), "max_length": TOO_LONG})
    text = forms.CharField(label=_("Idea"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 8}),
                           error_messages={"required": _("Write the idea."), "max_length": TOO_LONG})
    author_name = forms.CharField(label=_("Name shown with the idea (optional)"), required=False, max_length=MAX_NAME,
                                  error_messages={"max_length": TOO_LONG})
    language = forms.ChoiceField(label=_("Language of the idea"), choices=[(k, v) for k, v in LANGUAGE_NAMES.items()])
    received_on = forms.DateField(label=_("Received on"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                  error_messages={"invalid": _("Give the date as dd.mm.yyyy.")})
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4().hex)

    def clean_received_on(self):
        day = self.cleaned_data.get("received_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class PaperSignatureForm(forms.Form):
    identity_code = forms.CharField(
        label=_("Personal identity code of the signer"), max_length=11, min_length=11,
        help_text=_("As written on the signed list, for example 131052-308T. Only a keyed fingerprint of it is "
                    "stored, so the same person is counted once."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
        error_messages={"required": _("Enter the signer's personal identity code."),
                        "min_length": _("A personal identity code has 11 characters, for example 131052-308T."),
                        "max_length": _("A personal identity code has 11 characters, for example 131052-308T.")})
    resident_checked = forms.BooleanField(
        label=_("I have checked that the signer lives in the municipality"),
        error_messages={"required": _("Check the signer's home municipality before recording the signature.")})

    def clean_identity_code(self):
        code = hetu.normalise(self.cleaned_data["identity_code"])
        born = hetu.birth_date(code)
        if born is None:
            raise forms.ValidationError(_("This is not a valid personal identity code. Check the date, the "
                                          "century sign and the last character."))
        if born > timezone.localdate():
            raise forms.ValidationError(_("The birth date in this identity code is in the future."))
        return code


class SubmittedForm(forms.Form):
    submitted_on = forms.DateField(label=_("Filed with the municipality on"),
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                   error_messages={"required": _("Give the date the initiative was filed."),
                                                   "invalid": _("Give the date as dd.mm.yyyy.")})
