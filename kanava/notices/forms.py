"""The staff form of a notice: texts per language, the periods, and its personal data fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanava.core.models import LANGUAGE_CODES, LANGUAGE_NAMES, Organisation
from kanava.matters.models import Matter
from kanava.notices import actions
from kanava.notices.models import Notice

#: Empty personal-data rows offered below the filled ones (no JavaScript needed to add one).
EXTRA_ROWS = 3


def languages_of(organisation: Organisation) -> list[str]:
    """The organisation's languages (majority first), then the rest of fi, sv, en."""
    own = [code for code in organisation.required_languages if code in LANGUAGE_CODES]
    return own + [code for code in LANGUAGE_CODES if code not in own]


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of notice"), choices=Notice.Kind.choices,
                             widget=forms.RadioSelect, initial=Notice.Kind.ANNOUNCEMENT)
    period_days = forms.IntegerField(
        label=gettext_lazy("Days on the notice board"), min_value=1, max_value=actions.MAX_PERIOD_DAYS, initial=14,
        help_text=gettext_lazy("The legal period, counted from publication to the minute."))
    appeal_days = forms.IntegerField(
        label=gettext_lazy("Appeal period in days"), required=False, min_value=1, max_value=actions.MAX_PERIOD_DAYS,
        help_text=gettext_lazy("Counted from the day the notice is deemed received (the 7th day after publication): "
                               "30 for a municipal appeal, 14 for a rectification request. Leave empty when "
                               "the notice cannot be appealed."))
    removal_basis = forms.ChoiceField(
        label=gettext_lazy("Remove the personal data"), choices=Notice.RemovalBasis.choices,
        widget=forms.RadioSelect, initial=Notice.RemovalBasis.PERIOD)
    # The matter this notice belongs to: the organisation's own matters only (see __init__).  It is
    # saved through kanava.matters.actions.link_notice (chosen_matter()), not by do_save_notice.
    matter = forms.ModelChoiceField(
        label=gettext_lazy("Matter in the register"), queryset=Matter.objects.none(), required=False,
        empty_label=gettext_lazy("None"),
        help_text=gettext_lazy("The notice is listed on the matter's page under “Official notices”."))

    def __init__(self, *args, organisation: Organisation, notice: Notice | None = None, **kwargs):
        if notice is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_of(notice)
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["matter"].queryset = Matter.objects.filter(organisation=organisation).select_related(
            "organisation").order_by("-meeting_date", "-id")
        self.fields["matter"].label_from_instance = lambda matter: str(matter)[:120]
        self.languages = languages_of(organisation)
        rows = len(kwargs.get("initial", {}).get("_fields", [])) + EXTRA_ROWS
        if self.is_bound:
            rows = max(rows, self._posted_rows())
        self.rows = rows
        for code in self.languages:
            name = LANGUAGE_NAMES[code]
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title in %(language)s") % {"language": name}, max_length=actions.MAX_TITLE,
                required=code == organisation.majority_language, widget=forms.TextInput(attrs={"lang": code}))
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Text in %(language)s") % {"language": name}, max_length=actions.MAX_BODY, required=False,
                widget=forms.Textarea(attrs={"rows": 8, "lang": code}),
                help_text=_("No names, addresses or identity codes here: put them in the personal data fields, "
                            "which are removed when the period ends."))
        for i in range(rows):
            for code in self.own_languages:
                self.fields[f"field_{i}_label_{code}"] = forms.CharField(
                    label=_("Label in %(language)s") % {"language": LANGUAGE_NAMES[code]}, required=False,
                    max_length=200, widget=forms.TextInput(attrs={"lang": code}))
            self.fields[f"field_{i}_value"] = forms.CharField(label=_("Value"), required=False, max_length=2000)

    @property
    def own_languages(self) -> list[str]:
        return [code for code in self.languages if code in self.organisation.required_languages] or self.languages[:1]

    def _posted_rows(self) -> int:
        numbers = [int(key.split("_")[1]) for key in self.data if key.startswith("field_")
                   and key.split("_")[1].isdigit()]
        return min(max(numbers, default=-1) + 1, 50)

    def language_sections(self) -> list[dict]:
        return [{"code": code, "name": LANGUAGE_NAMES[code], "fields": [self[f"title_{code}"], self[f"body_{code}"]]}
                for code in self.languages]

    def personal_rows(self) -> list[dict]:
        return [{"number": i + 1, "labels": [self[f"field_{i}_label_{code}"] for code in self.own_languages],
                 "value": self[f"field_{i}_value"]} for i in range(self.rows)]

    def clean(self):
        data = super().clean()
        for i in range(self.rows):
            labels = [data.get(f"field_{i}_label_{code}") for code in self.own_languages]
            value = data.get(f"field_{i}_value")
            if value and not any(labels):
                self.add_error(f"field_{i}_label_{self.own_languages[0]}",
                               ValidationError(_("Say what the value is, e.g. “Applicant”.")))
            if any(labels) and not value:
                self.add_error(f"field_{i}_value", ValidationError(_("Write the value or empty the label.")))
        return data

    def chosen_matter(self):
        """The matter chosen (of this organisation), or None."""
        return self.cleaned_data.get("matter")

    def values(self) -> dict:
        """The cleaned data in the shape :func:`kanava.notices.actions.do_save_notice` takes."""
        data = self.cleaned_data
        fields = []
        for i in range(self.rows):
            value = data.get(f"field_{i}_value", "")
            label = {code: data.get(f"field_{i}_label_{code}", "") for code in self.own_languages}
            if value:
                fields.append(actions.PersonalFieldData(label=label, value=value))
        return {
            "kind": data["kind"], "period_days": data["period_days"], "appeal_days": data.get("appeal_days"),
            "removal_basis": data["removal_basis"],
            "title": {code: data.get(f"title_{code}", "") for code in self.languages},
            "body": {code: data.get(f"body_{code}", "") for code in self.languages},
            "personal_fields": fields,
        }


def initial_of(notice: Notice) -> dict:
    initial = {"kind": notice.kind, "period_days": notice.period_days, "appeal_days": notice.appeal_days,
               "removal_basis": notice.removal_basis, "_fields": list(notice.personal_fields.all()),
               "matter": notice.matter_id}
    for code in LANGUAGE_CODES:
        initial[f"title_{code}"] = (notice.title or {}).get(code, "")
        initial[f"body_{code}"] = (notice.body or {}).get(code, "")
    for i, field in enumerate(initial["_fields"]):
        for code, text in (field.label or {}).items():
            initial[f"field_{i}_label_{code}"] = text
        initial[f"field_{i}_value"] = field.value
    return initial


def add_errors(form: forms.Form, error: ValidationError) -> None:
    """Put an action's ``ValidationError`` on the form's fields (or on the form)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = name if name in form.fields else None
            if name in ("title", "body"):
                target = f"{name}_{form.organisation.majority_language}"
            for item in errors:
                form.add_error(target, item)
    else:
        for message in error.messages:
            form.add_error(None, message)
