"""The survey form, built from a survey's questions (resident pages and staff recording alike)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kanava.core.models import in_language
from kanava.participation.kinds.survey.flow import field_name, rank_name
from kanava.participation.kinds.survey.models import Question
from kanava.participation.models import Contribution


@dataclass
class AnswerData:
    question: Question
    choice_id: int | None = None
    value: int | None = None
    text: str = ""


class SurveyForm(forms.Form):
    """One field per question (one select per choice for ranking), named ``q<id>`` (``q<id>_r<choice>``)."""

    # Left empty by people (it is hidden); bots fill in every field they see.
    website = forms.CharField(required=False, label=_("Leave this field empty"),
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, data=None, *, questions, organisation, language=None, **kwargs):
        if isinstance(data, dict) and not isinstance(data, MultiValueDict):
            data = MultiValueDict(data)
        super().__init__(data, **kwargs)
        self.questions = list(questions)
        self.organisation = organisation
        self.language = language
        for question in self.questions:
            self._add_fields(question)

    def _text(self, values) -> str:
        return in_language(values, self.language, self.organisation)

    def _choices(self, question):
        return [(str(choice.pk), choice.display_label(self.language, self.organisation))
                for choice in question.choices.all()]

    def _add_fields(self, question):
        kind, required = question.kind, question.required
        label = self._text(question.text)
        help_text = escape(self._text(question.help))
        if kind == Question.Kind.SINGLE:
            self.fields[field_name(question)] = forms.ChoiceField(
                label=label, required=required, choices=self._choices(question), help_text=help_text,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer."),
                                "invalid_choice": _("Choose one of the answers shown.")})
        elif kind == Question.Kind.MULTIPLE:
            self.fields[field_name(question)] = forms.MultipleChoiceField(
                label=label, required=required, choices=self._choices(question),
                help_text=help_text, widget=forms.CheckboxSelectMultiple,
                error_messages={"required": _("Choose at least one answer."),
                                "invalid_choice": _("Choose among the answers shown.")})
        elif kind == Question.Kind.SCALE:
            self.fields[field_name(question)] = forms.ChoiceField(
                label=label, required=required, choices=self._scale_choices(question), help_text=help_text,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose a point on the scale."),
                                "invalid_choice": _("Choose a point on the scale.")})
        elif kind == Question.Kind.RANKING:
            count = len(question.choices.all())
            positions = [("", _("No position"))] + [(str(n), str(n)) for n in range(1, count + 1)]
            for choice in question.choices.all():
                self.fields[rank_name(question, choice)] = forms.ChoiceField(
                    label=choice.display_label(self.language, self.organisation), required=False, choices=positions,
                    error_messages={"invalid_choice": _("Choose a position from the list.")})
        else:
            self.fields[field_name(question)] = forms.CharField(
                label=label, required=required, max_length=question.max_length, help_text=help_text,
                widget=forms.Textarea(attrs={"rows": 5}),
                error_messages={
                    "required": _("Write your answer."),
                    "max_length": _("Your answer is too long: at most %(limit_value)s characters, and it has "
                                    "%(show_value)s. Shorten it and send it again."),
                })

    def _scale_choices(self, question):
        low, high = self._text(question.scale_min_label), self._text(question.scale_max_label)
        choices = []
        for n in range(1, question.scale_max + 1):
            label = str(n)
            if n == 1 and low:
                label = f"{n} – {low}"
            elif n == question.scale_max and high:
                label = f"{n} – {high}"
            choices.append((str(n), label))
        return choices

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            if question.kind == Question.Kind.MULTIPLE:
                self._check_count(question, cleaned.get(field_name(question)) or [])
            elif question.kind == Question.Kind.RANKING:
                self._check_ranking(question, cleaned)
        return cleaned

    def _check_count(self, question, picked):
        name = field_name(question)
        if not picked or name in self.errors:
            return
        if question.min_choices and len(picked) < question.min_choices:
            self.add_error(name, ngettext("Choose at least %(count)s answer.", "Choose at least %(count)s answers.",
                                          question.min_choices) % {"count": question.min_choices})
        elif question.max_choices and len(picked) > question.max_choices:
            self.add_error(name, ngettext("Choose at most %(count)s answer.", "Choose at most %(count)s answers.",
                                          question.max_choices) % {"count": question.max_choices})

    def _check_ranking(self, question, cleaned):
        names = [rank_name(question, choice) for choice in question.choices.all()]
        if not names or any(name in self.errors for name in names):
            return
        given = [cleaned.get(name) for name in names]
        filled = [int(value) for value in given if value]
        if not filled and not question.required:
            return
        if sorted(filled) != list(range(1, len(names) + 1)):
            self.add_error(names[0], ngettext(
                "Give the item position 1.",
                "Give each of the %(count)s items a different position from 1 to %(count)s.",
                len(names)) % {"count": len(names)})

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def answers(self) -> list[AnswerData]:
        """The answers given, from a valid form."""
        found = []
        for question in self.questions:
            value = self.cleaned_data.get(field_name(question))
            if question.kind == Question.Kind.SINGLE and value:
                found.append(AnswerData(question, choice_id=int(value)))
            elif question.kind == Question.Kind.MULTIPLE:
                found.extend(AnswerData(question, choice_id=int(v)) for v in value or [])
            elif question.kind == Question.Kind.SCALE and value:
                found.append(AnswerData(question, value=int(value)))
            elif question.kind == Question.Kind.RANKING:
                for choice in question.choices.all():
                    position = self.cleaned_data.get(rank_name(question, choice))
                    if position:
                        found.append(AnswerData(question, choice_id=choice.pk, value=int(position)))
            elif question.kind == Question.Kind.TEXT and (value or "").strip():
                found.append(AnswerData(question, text=clean_text(value)))
        return found

    def blocks(self):
        """What the template draws per question: the question and its bound fields."""
        for question in self.questions:
            if question.kind == Question.Kind.RANKING:
                fields = [self[rank_name(question, choice)] for choice in question.choices.all()]
            else:
                fields = [self[field_name(question)]]
            yield {"question": question, "fields": fields, "text": self._text(question.text),
                   "help": self._text(question.help), "errors": [e for f in fields for e in f.errors],
                   "condition": _condition_attrs(question)}


def _condition_attrs(question) -> dict | None:
    if question.condition_question_id is None:
        return None
    return {"question": f"q{question.condition_question_id}",
            "choices": " ".join(str(pk) for pk in sorted(question.condition_choice_ids))}


def clean_text(value: str) -> str:
    """Free text as stored: stripped, without control characters (it is always shown escaped)."""
    return "".join(ch for ch in value.strip() if ch in "\n\t" or ord(ch) >= 32)


class RecordForm(forms.Form):
    """What staff add when they record a response on a resident's behalf."""

    source = forms.ChoiceField(label=_("Where the answers came from"),
                               choices=[c for c in Contribution.Source.choices if c[0] != Contribution.Source.ONLINE],
                               error_messages={"required": _("Choose where the answers came from.")})
    language = forms.ChoiceField(label=_("Language of the answers"), choices=())

    def __init__(self, *args, languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        from django.conf import settings

        names = dict(settings.LANGUAGES)
        self.fields["language"].choices = [(code, names.get(code, code)) for code in languages]
