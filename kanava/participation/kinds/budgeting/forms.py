"""Forms of the budgeting pages (resident and staff)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kanava.participation import hetu
from kanava.participation.kinds.budgeting.models import TEXT_MAX, TITLE_MAX, Proposal
from kanava.participation.kinds.budgeting.rules import euros

LANGUAGE_NAMES = {"fi": _("Finnish"), "sv": _("Swedish"), "en": _("English")}


def area_choices(conf, organisation):
    return [(area.slug, area.display_name(organisation=organisation)) for area in conf.areas]


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title of your proposal"), max_length=TITLE_MAX,
                            error_messages={"required": _("Give your proposal a title."),
                                            "max_length": _("Keep the title under %(limit_value)d characters.")})
    text = forms.CharField(label=_("What should be done, where, and why?"), max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 8}),
                           error_messages={"required": _("Describe your proposal."),
                                           "max_length": _("Keep the description under %(limit_value)d characters.")})
    area = forms.ChoiceField(label=_("Area"), required=False)
    author_name = forms.CharField(label=_("Your name as shown with the proposal (optional)"), max_length=80,
                                  required=False)
    website = forms.CharField(label=_("Leave this field empty"), required=False)  # honeypot

    def __init__(self, *args, conf=None, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if conf is not None and conf.areas:
            self.fields["area"].choices = [("", _("Choose an area"))] + area_choices(conf, organisation)
            self.fields["area"].required = True
            self.fields["area"].error_messages["required"] = _("Choose the area of your proposal.")
        else:
            del self.fields["area"]

    def clean_title(self):
        return _plain(self.cleaned_data["title"])

    def clean_text(self):
        return _plain(self.cleaned_data["text"])


def _plain(value: str) -> str:
    """Plain text: control characters dropped (pages escape everything; nothing here is HTML)."""
    return "".join(ch for ch in value if ch in "\n\t" or ch >= " ").strip()


class VetForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=Proposal.State.choices, widget=forms.RadioSelect)
    cost_estimate = forms.IntegerField(label=_("Cost estimate (euros)"), min_value=0, max_value=10**12,
                                       required=False)

    def __init__(self, *args, languages=("fi",), **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = list(languages)
        for language in self.languages:
            self.fields[f"note_{language}"] = forms.CharField(
                label=_("Feasibility note, public (%(language)s)") % {
                    "language": LANGUAGE_NAMES.get(language, language)},
                required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_("Say what the estimate includes; when the proposal is not feasible, give the reasons."))

    def clean(self):
        data = super().clean()
        state = data.get("state")
        if state == Proposal.State.ACCEPTED and data.get("cost_estimate") is None:
            self.add_error("cost_estimate", _("A proposal on the ballot needs a cost estimate."))
        if state == Proposal.State.NOT_FEASIBLE and not any(data.get(f"note_{lang}") for lang in self.languages):
            self.add_error(f"note_{self.languages[0]}", _("Give the reasons why the proposal is not feasible."))
        return data

    def notes(self) -> dict:
        return {language: self.cleaned_data.get(f"note_{language}", "") for language in self.languages}


class PaperBallotForm(forms.Form):
    code = forms.CharField(label=_("Voter's personal identity code"), max_length=11, min_length=11,
                           help_text=_("Only a keyed digest of the code is stored, to keep one ballot per person."),
                           error_messages={"required": _("Type the personal identity code from the ballot."),
                                           "min_length": _("A personal identity code has 11 characters."),
                                           "max_length": _("A personal identity code has 11 characters.")},
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    resident = forms.BooleanField(label=_("The voter lives in the municipality"), required=False)
    proposals = forms.MultipleChoiceField(label=_("Proposals marked on the ballot"),
                                          widget=forms.CheckboxSelectMultiple,
                                          error_messages={"required": _("Mark the proposals chosen on the ballot.")})

    def __init__(self, *args, proposals=(), residence_rule=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposals"].choices = [(str(p.pk), f"{p.title} ({euros(p.cost_estimate)} €)") for p in proposals]
        if not residence_rule:
            del self.fields["resident"]

    def clean_code(self):
        code = hetu.normalise(self.cleaned_data["code"])
        if not hetu.is_valid(code):
            raise forms.ValidationError(_("The personal identity code is not valid: check the date, the number and "
                                          "the check character."))
        return code


class BudgetSettingsForm(forms.Form):
    """The kind's settings on a staff page; ``to_settings()`` gives a validated :class:`BudgetSettings`."""

    total_budget = forms.IntegerField(label=_("Total budget (euros)"), min_value=0, max_value=10**12)
    method = forms.ChoiceField(label=_("Voting method"), widget=forms.RadioSelect)
    ballot_cap = forms.IntegerField(label=_("Most euros one ballot may choose"), min_value=0, max_value=10**12,
                                    required=False,
                                    help_text=_("Budget method only. Empty: the budget of the ballot's area, or the "
                                                "total budget."))
    max_choices = forms.IntegerField(label=_("Most proposals one ballot may approve"), min_value=1, required=False,
                                     help_text=_("Approval method only. Empty: no limit."))
    minimum_age = forms.IntegerField(label=_("Minimum age of voters"), min_value=0, max_value=120, initial=12)
    municipality_code = forms.CharField(label=_("Municipality code of residents who may vote"), max_length=3,
                                        required=False,
                                        help_text=_("Three digits (Statistics Finland), for example 091. Empty: "
                                                    "no residence rule."))
    areas = forms.CharField(label=_("Areas, one a line"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=_("identifier | Finnish name | Swedish name | budget in euros. Empty: one "
                                        "ballot for the whole municipality."))

    def __init__(self, *args, **kwargs):
        from kanava.participation.kinds.budgeting.conf import METHOD_CHOICES

        super().__init__(*args, **kwargs)
        self.fields["method"].choices = METHOD_CHOICES

    @classmethod
    def initial_from(cls, conf) -> dict:
        data = conf.to_dict()
        data["areas"] = "\n".join(
            " | ".join([a["slug"], a["name"].get("fi", ""), a["name"].get("sv", ""),
                        "" if a["budget"] is None else str(a["budget"])]) for a in data["areas"])
        return data

    def clean(self):
        from django.core.exceptions import ValidationError

        from kanava.participation.kinds.budgeting.conf import BudgetSettings

        data = super().clean()
        raw = {k: v for k, v in data.items() if k != "areas"}
        raw["areas"] = []
        for line in (data.get("areas") or "").splitlines():
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")] + ["", "", "", ""]
            raw["areas"].append({"slug": parts[0], "name": {k: v for k, v in (("fi", parts[1]), ("sv", parts[2]))
                                                            if v}, "budget": parts[3] or None})
        try:
            self.settings = BudgetSettings.parse(raw)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return data
