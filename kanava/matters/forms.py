"""Forms of the staff pages: the list filter, a matter, its stage, links, and the CSV upload."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kanava.matters.importers.csvfile import DEFAULT_DATE_FORMAT, FIELDS
from kanava.matters.models import (CASE_NUMBER_MAX, SUMMARY_MAX, TITLE_MAX, Confidentiality, ImportMapping,
                                   Matter, Stage, secrecy_errors)

LANGUAGES = ("fi", "sv", "en")
DATE_INPUTS = ["%Y-%m-%d", "%d.%m.%Y"]


def language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        help_text=_("Case number or words of the title."))
    stage = forms.ChoiceField(label=_("Stage"), required=False,
                              choices=[("", _("All stages")), *Stage.choices])
    confidentiality = forms.ChoiceField(label=_("Confidentiality"), required=False,
                                        choices=[("", _("All")), *Confidentiality.choices])

    def value(self, name: str) -> str:
        return (self.cleaned_data.get(name) or "") if self.is_valid() else ""


class MatterForm(forms.Form):
    """A matter by hand; title and summary for each language the organisation uses (and English)."""

    case_number = forms.CharField(label=_("Case number"), max_length=CASE_NUMBER_MAX,
                                  help_text=_("As in case management, e.g. KUNTA/123/10.02.03/2026."))
    deciding_body = forms.CharField(label=_("Deciding body"), max_length=200, required=False)
    preparer = forms.CharField(label=_("Preparer"), max_length=200, required=False)
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, initial=Stage.PREPARATION)
    meeting_date = forms.DateField(label=_("Meeting date"), required=False, input_formats=DATE_INPUTS,
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    agenda_url = forms.URLField(label=_("Link to the agenda"), max_length=500, required=False,
                                assume_scheme="https")
    minutes_url = forms.URLField(label=_("Link to the minutes"), max_length=500, required=False,
                                 assume_scheme="https")
    confidentiality = forms.ChoiceField(label=_("Confidentiality"), choices=Confidentiality.choices,
                                        initial=Confidentiality.PUBLIC)
    secrecy_ground = forms.CharField(label=_("Legal ground for secrecy"), max_length=300, required=False,
                                     help_text=_("Required unless the matter is public, e.g. JulkL 24.1 § 25 k."))

    def __init__(self, *args, organisation, matter: Matter | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = [c for c in organisation.required_languages if c in LANGUAGES]
        self.languages += [c for c in LANGUAGES if c not in self.languages and
                           (c == "en" or (matter is not None and (matter.title.get(c) or matter.summary.get(c))))]
        for code in self.languages:
            name = language_name(code)
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": name}, max_length=TITLE_MAX, required=False)
            self.fields[f"summary_{code}"] = forms.CharField(
                label=_("Summary (%(language)s)") % {"language": name}, max_length=SUMMARY_MAX, required=False,
                widget=forms.Textarea(attrs={"rows": 3}))
        if matter is not None:
            self.initial.update({name: getattr(matter, name) for name in (
                "case_number", "deciding_body", "preparer", "stage", "meeting_date", "agenda_url", "minutes_url",
                "confidentiality", "secrecy_ground")})
            for code in self.languages:
                self.initial[f"title_{code}"] = matter.title.get(code, "")
                self.initial[f"summary_{code}"] = matter.summary.get(code, "")

    def language_rows(self):
        return [(language_name(code), [self[f"title_{code}"], self[f"summary_{code}"]]) for code in self.languages]

    def clean_case_number(self):
        return " ".join(self.cleaned_data["case_number"].split())

    def clean(self):
        data = super().clean()
        if not any((data.get(f"title_{code}") or "").strip() for code in self.languages):
            self.add_error(f"title_{self.languages[0]}", _("Give a title in at least one language."))
        for name, message in secrecy_errors(data.get("confidentiality"), data.get("secrecy_ground")).items():
            self.add_error(name, message)
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        values = {name: data[name] for name in ("case_number", "deciding_body", "preparer", "stage", "meeting_date",
                                                "agenda_url", "minutes_url", "confidentiality", "secrecy_ground")}
        values["title"] = {code: data.get(f"title_{code}", "") for code in self.languages}
        values["summary"] = {code: data.get(f"summary_{code}", "") for code in self.languages}
        return values


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("New stage"), choices=Stage.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class LinkForm(forms.Form):
    KINDS = (("message", _("Message")), ("process", _("Participation process")), ("notice", _("Official notice")))
    kind = forms.ChoiceField(choices=KINDS, widget=forms.HiddenInput)
    target = forms.IntegerField(label=_("Which"), min_value=1)
    unlink = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ImportForm(forms.Form):
    """The CSV file and its column mapping: a saved mapping, or the column of each field typed here."""

    file = forms.FileField(label=_("CSV file"),
                           help_text=_("Semicolon or comma separated; UTF-8 or Windows-1252 (as Excel saves it)."))
    mapping = forms.ModelChoiceField(label=_("Saved mapping"), queryset=ImportMapping.objects.none(),
                                     required=False, empty_label=_("None: use the columns below"))
    date_format = forms.CharField(label=_("Date format"), max_length=40, required=False,
                                  help_text=_("%d.%m.%Y for 31.12.2026, %Y-%m-%d for 2026-12-31."))
    save_as = forms.CharField(label=_("Save this mapping as"), max_length=100, required=False,
                              help_text=_("Leave empty not to save it."))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mapping"].queryset = ImportMapping.objects.filter(organisation=organisation)
        self.fields["date_format"].initial = DEFAULT_DATE_FORMAT
        for name, label in FIELDS.items():
            self.fields[f"column_{name}"] = forms.CharField(
                label=_("Column for: %(field)s") % {"field": label}, max_length=200, required=False)

    def column_fields(self):
        return [self[f"column_{name}"] for name in FIELDS]

    def typed_columns(self) -> dict:
        return {name: self.cleaned_data[f"column_{name}"].strip() for name in FIELDS
                if self.cleaned_data.get(f"column_{name}", "").strip()}

    def clean(self):
        data = super().clean()
        if not data.get("mapping") and not self.typed_columns():
            raise forms.ValidationError(_("Choose a saved mapping or type the column of each field you import."))
        if data.get("save_as") and not self.typed_columns():
            self.add_error("save_as", _("Type the columns to save them as a mapping."))
        return data

    def mapping_dict(self) -> dict:
        """The mapping for ``csv_import``: typed columns win over the saved mapping's."""
        saved = self.cleaned_data.get("mapping")
        mapping = saved.as_mapping() if saved else {"date_format": DEFAULT_DATE_FORMAT}
        mapping.update(self.typed_columns())
        if self.cleaned_data.get("date_format"):
            mapping["date_format"] = self.cleaned_data["date_format"]
        return mapping
