"""Forms of the claims register and the FAQ pages (staff)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanava.core.models import LANGUAGE_CODES, LANGUAGE_NAMES, Organisation, Topic
from kanava.inbox import claims as claim_actions
from kanava.inbox import knowledge
from kanava.inbox.models import Claim


def languages_of(organisation: Organisation) -> list[str]:
    """The organisation's languages (majority first), then the rest of fi, sv, en."""
    own = [code for code in organisation.required_languages if code in LANGUAGE_CODES]
    return own + [code for code in LANGUAGE_CODES if code not in own]


class ClaimForm(forms.Form):
    """A claim with a statement and an answer per language; the fields are named ``statement_fi``..."""

    verdict = forms.ChoiceField(label=gettext_lazy("Verdict"), choices=Claim.Verdict.choices,
                                widget=forms.RadioSelect, initial=Claim.Verdict.UNCLEAR)
    phrasings = forms.CharField(
        label=gettext_lazy("Other ways people say it"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One per line, in any language. Incoming messages are matched against these too."))
    sources = forms.CharField(
        label=gettext_lazy("Sources"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One per line: a title, a secure address (https://…), or both."))
    checked_on = forms.DateField(label=gettext_lazy("Date checked"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    topic = forms.ModelChoiceField(label=gettext_lazy("Topic"), required=False, queryset=Topic.objects.none(),
                                   empty_label=gettext_lazy("No topic"))
    slug = forms.SlugField(
        label=gettext_lazy("Address on the public page"), required=False, max_length=80,
        help_text=gettext_lazy("Letters, numbers and hyphens. Left empty, it is made from the claim."))

    def __init__(self, *args, organisation: Organisation, claim: Claim | None = None, **kwargs):
        if claim is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_of(claim)
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.languages = languages_of(organisation)
        for code in self.languages:
            name = LANGUAGE_NAMES[code]
            required = code == organisation.majority_language
            self.fields[f"statement_{code}"] = forms.CharField(
                label=_("The claim in %(language)s") % {"language": name}, required=required,
                max_length=claim_actions.MAX_STATEMENT, widget=forms.Textarea(attrs={"rows": 2, "lang": code}),
                error_messages={"required": _("Write the claim as people put it.")})
            self.fields[f"answer_{code}"] = forms.CharField(
                label=_("The factual answer in %(language)s") % {"language": name}, required=False,
                max_length=claim_actions.MAX_ANSWER, widget=forms.Textarea(attrs={"rows": 5, "lang": code}),
                help_text=_("Short and calm: what is true, and where to read more."))
        self.fields["topic"].queryset = Topic.objects.filter(organisation=organisation).order_by("slug")
        self.fields["topic"].label_from_instance = lambda topic: topic.display_name()

    def language_sections(self) -> list[dict]:
        return [{"code": code, "name": LANGUAGE_NAMES[code],
                 "fields": [self[f"statement_{code}"], self[f"answer_{code}"]]} for code in self.languages]

    def values(self) -> dict:
        """The cleaned data in the shape ``do_save_claim`` takes."""
        data = self.cleaned_data
        return {
            "statement": {code: data.get(f"statement_{code}", "") for code in self.languages},
            "answer": {code: data.get(f"answer_{code}", "") for code in self.languages},
            "verdict": data["verdict"], "phrasings": data.get("phrasings", ""), "sources": data.get("sources", ""),
            "checked_on": data.get("checked_on"), "topic": data.get("topic"), "slug": data.get("slug", ""),
        }


def initial_of(claim: Claim) -> dict:
    initial = {"verdict": claim.verdict, "phrasings": claim.phrasings, "sources": claim.sources,
               "checked_on": claim.checked_on, "topic": claim.topic_id, "slug": claim.slug}
    for code in LANGUAGE_CODES:
        initial[f"statement_{code}"] = (claim.statement or {}).get(code, "")
        initial[f"answer_{code}"] = (claim.answer or {}).get(code, "")
    return initial


class FaqForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language"))
    question = forms.CharField(label=gettext_lazy("Question"), max_length=knowledge.MAX_QUESTION,
                               widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=gettext_lazy("As residents ask it."))
    answer = forms.CharField(label=gettext_lazy("Answer"), max_length=knowledge.MAX_ANSWER,
                             widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [(code, LANGUAGE_NAMES[code]) for code in languages_of(organisation)]
        self.fields["language"].initial = organisation.majority_language


def add_errors(form: forms.Form, error) -> None:
    """Put an action's ValidationError on the form: per field where it names one, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
