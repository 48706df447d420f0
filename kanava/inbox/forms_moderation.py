"""Forms of moderation: rules, decisions, appeals, the log's filters.

Forms parse what was typed; :mod:`kanava.inbox.moderation` decides whether it
can be done and says why not (its errors land on the form's fields).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kanava.core.models import LANGUAGE_CODES, LANGUAGE_NAMES
from kanava.inbox import moderation
from kanava.inbox.models import Appeal, Item, ModerationDecision, Rule

Action = ModerationDecision.Action


def rule_languages(organisation) -> list[str]:
    """The organisation's languages (majority first), then the other languages of the site."""
    languages = [organisation.majority_language]
    languages += [code for code in organisation.required_languages if code not in languages]
    return languages + [code for code in LANGUAGE_CODES if code not in languages]


def add_errors(form: forms.Form, error: ValidationError) -> None:
    """An action's refusal on the form: by field where it names one, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RuleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        label = f"{obj.number}. {obj.title_in()}"
        return label if obj.active else _("%(rule)s (retired)") % {"rule": label}


class RuleForm(forms.Form):
    """A rule's number and, per language, its title and text."""

    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=999,
                                help_text=_("Rules are listed and cited by their number."))

    def __init__(self, *args, organisation, rule: Rule | None = None, **kwargs):
        if rule is not None and "initial" not in kwargs:
            initial = {"number": rule.number}
            for code in LANGUAGE_CODES:
                initial[f"title_{code}"] = (rule.title or {}).get(code, "")
                initial[f"text_{code}"] = (rule.text or {}).get(code, "")
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.sections = []
        for code in rule_languages(organisation):
            required = code in organisation.required_languages
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title"), max_length=moderation.MAX_RULE_TITLE, required=required,
                widget=forms.TextInput(attrs={"lang": code}),
                error_messages={"required": _("Write the title in this language: the organisation publishes in it.")})
            self.fields[f"text_{code}"] = forms.CharField(
                label=_("The rule"), max_length=moderation.MAX_RULE_TEXT, required=required,
                widget=forms.Textarea(attrs={"lang": code, "rows": 4}),
                error_messages={"required": _("Write the rule in this language: the organisation publishes in it.")})
            self.sections.append({"code": code, "name": LANGUAGE_NAMES[code], "required": required,
                                  "fields": [self[f"title_{code}"], self[f"text_{code}"]]})

    def texts(self) -> tuple[dict, dict]:
        data = self.cleaned_data
        return ({code: data.get(f"title_{code}", "") for code in LANGUAGE_CODES},
                {code: data.get(f"text_{code}", "") for code in LANGUAGE_CODES})


class ModerateForm(forms.Form):
    """What a moderator decides about one item.  The rule and the reason are checked by the action."""

    action = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                               error_messages={"required": _("Choose what to do.")})
    rule = RuleChoiceField(label=_("Rule"), queryset=Rule.objects.none(), required=False,
                           empty_label=_("Choose a rule"),
                           help_text=_("Every decision cites one of the published discussion rules. "
                                       "When restoring, the rule the message was hidden under is used "
                                       "if you choose none."))
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=moderation.MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published in the public moderation log and sent to the writer: no names, handles or "
                    "quotes from the message."))

    def __init__(self, *args, item: Item, **kwargs):
        super().__init__(*args, **kwargs)
        hidden = item.visibility == Item.Visibility.HIDDEN
        choices = [(value, label) for value, label in Action.choices
                   if not (value == Action.HIDE and hidden) and not (value == Action.RESTORE and not hidden)]
        self.fields["action"].choices = choices
        # Rules in force; when restoring, also the (perhaps retired) rule the message was hidden under.
        under = moderation.hidden_under(item) if hidden else None
        wanted = Q(active=True) | Q(pk=under.pk) if under is not None else Q(active=True)
        self.fields["rule"].queryset = (Rule.objects.filter(wanted, organisation=item.organisation)
                                        .select_related("organisation").order_by("number"))


class LogFilterForm(forms.Form):
    """Filters of the staff moderation log.  Dates are whole days in the organisation's time zone."""

    since = forms.DateField(label=_("From date"), required=False, widget=_date_input())
    until = forms.DateField(label=_("To date"), required=False, widget=_date_input(),
                            help_text=_("The whole day is included."))
    rule = RuleChoiceField(label=_("Rule"), queryset=Rule.objects.none(), required=False,
                           empty_label=_("All rules"))
    action = forms.ChoiceField(label=_("Decision"), required=False,
                               choices=[("", _("All decisions")), *Action.choices])

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["rule"].queryset = (Rule.objects.filter(organisation=organisation)
                                        .select_related("organisation").order_by("number"))

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned

    def filter(self, decisions):
        """Narrow ``decisions`` (already the organisation's own) by the valid filters."""
        if not self.is_valid():
            return decisions
        data, zone = self.cleaned_data, self.organisation.tz
        if data.get("since"):
            decisions = decisions.filter(decided_at__gte=datetime.combine(data["since"], time.min, tzinfo=zone))
        if data.get("until"):
            end = datetime.combine(data["until"] + timedelta(days=1), time.min, tzinfo=zone)
            decisions = decisions.filter(decided_at__lt=end)
        if data.get("rule"):
            decisions = decisions.filter(rule=data["rule"])
        if data.get("action"):
            decisions = decisions.filter(action=data["action"])
        return decisions


class AppealForm(forms.Form):
    """A resident's appeal, on the public appeal page."""

    text = forms.CharField(label=_("Why do you think the decision is wrong?"), max_length=moderation.MAX_APPEAL,
                           widget=forms.Textarea(attrs={"rows": 6}),
                           error_messages={"required": _("Write why you think the decision is wrong.")})
    contact = forms.CharField(label=_("Your email address or phone number (optional)"), max_length=320,
                              required=False, widget=forms.TextInput(attrs={"autocomplete": "email"}),
                              help_text=_("We send the answer to an email address. The answer is also "
                                          "shown on this page."))


class DecideAppealForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), widget=forms.RadioSelect,
        choices=[(Appeal.Status.UPHELD, _("The decision stands")),
                 (Appeal.Status.REVERSED, _("The decision is reversed"))],
        error_messages={"required": _("Choose whether the decision stands or is reversed.")})
    answer = forms.CharField(label=_("Answer to the resident"), max_length=moderation.MAX_ANSWER,
                             widget=forms.Textarea(attrs={"rows": 5}),
                             error_messages={"required": _("Write the answer to the resident.")})
