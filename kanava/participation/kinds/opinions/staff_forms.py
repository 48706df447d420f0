"""Staff forms of an opinion map: the question and settings, a statement's texts, and a moderation decision."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kanava.participation.kinds.opinions.conf import MAX_STATEMENT_LENGTH, ConversationSettings

MAX_QUESTION = 1000
MAX_REASON = 2000


def _language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


class SettingsForm(forms.Form):
    statements_open = forms.BooleanField(label=_("Residents may write statements of their own"), required=False)
    premoderate = forms.BooleanField(
        label=_("A resident's statement is shown only after a moderator accepts it"), required=False,
        help_text=_("Otherwise it is shown at once and can be rejected later."))
    show_map_while_voting = forms.BooleanField(label=_("Show the opinion map to voters after a few votes"),
                                               required=False)
    max_statement_length = forms.IntegerField(label=_("Longest statement in characters"), min_value=40,
                                              max_value=1000, initial=MAX_STATEMENT_LENGTH)

    def __init__(self, *args, languages, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = list(languages)
        for code in self.languages:
            self.fields[f"question_{code}"] = forms.CharField(
                label=_("Question in %(language)s") % {"language": _language_name(code)}, max_length=MAX_QUESTION,
                required=code == self.languages[0], widget=forms.Textarea(attrs={"rows": 2}))

    @property
    def question_fields(self):
        return [self[f"question_{code}"] for code in self.languages]

    @classmethod
    def initial_for(cls, conf: ConversationSettings) -> dict:
        return {"statements_open": conf.statements_open, "premoderate": conf.premoderate,
                "show_map_while_voting": conf.show_map_while_voting,
                "max_statement_length": conf.max_statement_length,
                **{f"question_{code}": text for code, text in conf.question.items()}}

    def conversation_settings(self, current: ConversationSettings) -> ConversationSettings:
        data = self.cleaned_data
        question = {code: text for code, text in current.question.items() if code not in self.languages}
        question.update({code: data[f"question_{code}"].strip() for code in self.languages
                         if data.get(f"question_{code}", "").strip()})
        return ConversationSettings(question=question, statements_open=data["statements_open"],
                                    premoderate=data["premoderate"],
                                    show_map_while_voting=data["show_map_while_voting"],
                                    max_statement_length=data["max_statement_length"])


class StatementForm(forms.Form):
    """A statement's text in each of the process's languages; staff may leave some empty."""

    def __init__(self, *args, languages, max_length: int, original: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.languages, self.original = list(languages), original
        for code in self.languages:
            self.fields[f"text_{code}"] = forms.CharField(
                label=_("Statement in %(language)s") % {"language": _language_name(code)}, required=False,
                max_length=max_length, widget=forms.Textarea(attrs={"rows": 2}))
            if code == original:
                self.fields[f"text_{code}"].disabled = True
                self.fields[f"text_{code}"].help_text = _("The resident's own words; they cannot be changed.")

    @property
    def text_fields(self):
        return [self[f"text_{code}"] for code in self.languages]

    def clean(self):
        cleaned = super().clean()
        if not any((cleaned.get(f"text_{code}") or "").strip() for code in self.languages):
            self.add_error(f"text_{self.languages[0]}", _("Write the statement in at least one language."))
        return cleaned

    def texts(self) -> dict:
        return {code: self.cleaned_data[f"text_{code}"].strip() for code in self.languages
                if (self.cleaned_data.get(f"text_{code}") or "").strip()}

    @classmethod
    def initial_for(cls, statement) -> dict:
        return {f"text_{code}": text for code, text in statement.text.items()}


class RejectForm(forms.Form):
    rule = forms.ModelChoiceField(label=_("The discussion rule it breaks"), queryset=None,
                                  empty_label=_("Choose a rule"))
    reason = forms.CharField(label=_("Reason"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Kept in the moderation record with the rule."))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        from kanava.inbox.moderation import active_rules

        self.fields["rule"].queryset = active_rules(organisation)
        self.fields["rule"].label_from_instance = lambda rule: f"{rule.number}. {rule.title_in()}"


class RestoreForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=MAX_REASON, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
