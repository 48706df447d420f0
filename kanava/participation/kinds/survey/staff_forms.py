"""The staff question editor's form: a question's texts per language, its choices, kind and condition."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kanava.core.models import in_language
from kanava.participation.kinds.survey.models import MAX_TEXT_LIMIT, SCALE_STEPS, Question

MAX_QUESTION_TEXT = 500
MAX_CHOICES = 40


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of question"), choices=Question.Kind.choices)
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    min_choices = forms.IntegerField(label=_("Fewest answers to choose (multiple choice)"), required=False,
                                     min_value=1, max_value=MAX_CHOICES)
    max_choices = forms.IntegerField(label=_("Most answers to choose (multiple choice)"), required=False,
                                     min_value=1, max_value=MAX_CHOICES)
    scale_max = forms.TypedChoiceField(label=_("Points on the scale"), coerce=int, initial=5,
                                       choices=[(n, str(n)) for n in SCALE_STEPS])
    max_length = forms.IntegerField(label=_("Longest answer in characters (free text)"), initial=2000,
                                    min_value=10, max_value=MAX_TEXT_LIMIT)
    condition = forms.MultipleChoiceField(
        label=_("Show this question only when an earlier question was answered with"), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty to show the question to everyone. Choose answers of one earlier question."))

    def __init__(self, *args, languages, earlier: list[Question], organisation, locked=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages, self.locked, self.organisation = list(languages), locked, organisation
        names = dict(settings.LANGUAGES)
        for code in self.languages:
            name = names.get(code, code)
            self.fields[f"text_{code}"] = forms.CharField(
                label=_("Question in %(language)s") % {"language": name}, max_length=MAX_QUESTION_TEXT,
                required=code == self.languages[0], widget=forms.Textarea(attrs={"rows": 2}))
            self.fields[f"help_{code}"] = forms.CharField(
                label=_("Help text in %(language)s (optional)") % {"language": name}, max_length=1000,
                required=False, widget=forms.Textarea(attrs={"rows": 2}))
            self.fields[f"choices_{code}"] = forms.CharField(
                label=_("Answers to choose from in %(language)s, one per line") % {"language": name},
                required=False, widget=forms.Textarea(attrs={"rows": 5}),
                help_text=_("For single and multiple choice and ranking. Every language needs the same number of "
                            "lines, in the same order."))
            self.fields[f"scale_min_{code}"] = forms.CharField(
                label=_("Meaning of 1 on the scale in %(language)s") % {"language": name}, max_length=80,
                required=False)
            self.fields[f"scale_max_{code}"] = forms.CharField(
                label=_("Meaning of the top of the scale in %(language)s") % {"language": name}, max_length=80,
                required=False)
        self.earlier = {q.pk: q for q in earlier if q.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE)}
        self.fields["condition"].choices = [
            (str(choice.pk), f"{number}. {in_language(q.text, None, organisation)} – "
                             f"{choice.display_label(organisation=organisation)}")
            for number, q in enumerate(earlier, start=1) if q.pk in self.earlier for choice in q.choices.all()
        ]
        if locked:
            for name in ("kind", "required", "min_choices", "max_choices", "scale_max", "max_length", "condition"):
                self.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        lines = {code: [line.strip() for line in (cleaned.get(f"choices_{code}") or "").splitlines() if line.strip()]
                 for code in self.languages}
        first = lines[self.languages[0]]
        if kind in Question.CHOICE_KINDS:
            if len(first) < 2:
                self.add_error(f"choices_{self.languages[0]}", _("Give at least two answers to choose from."))
            elif len(first) > MAX_CHOICES:
                self.add_error(f"choices_{self.languages[0]}", _("Give at most %(count)s answers.")
                               % {"count": MAX_CHOICES})
            for code in self.languages[1:]:
                if lines[code] and len(lines[code]) != len(first):
                    self.add_error(f"choices_{code}", _("Give as many lines as in the first language, in the same "
                                                        "order."))
        low, high = cleaned.get("min_choices"), cleaned.get("max_choices")
        if low and high and low > high:
            self.add_error("max_choices", _("The most answers cannot be fewer than the fewest."))
        self._check_condition(cleaned)
        self.choice_labels = [{code: lines[code][i] for code in self.languages if i < len(lines[code])}
                              for i in range(len(first))] if kind in Question.CHOICE_KINDS else []
        return cleaned

    def _check_condition(self, cleaned):
        picked = [int(pk) for pk in cleaned.get("condition") or []]
        owners = {q.pk for q in self.earlier.values() for c in q.choices.all() if c.pk in picked}
        if len(owners) > 1:
            self.add_error("condition", _("Choose answers of one earlier question only."))
        self.condition_question = self.earlier[owners.pop()] if len(owners) == 1 else None
        self.condition_choice_ids = picked

    def _per_language(self, prefix) -> dict:
        return {code: self.cleaned_data[f"{prefix}_{code}"].strip() for code in self.languages
                if self.cleaned_data.get(f"{prefix}_{code}", "").strip()}

    def question_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"], "required": data["required"], "min_choices": data.get("min_choices"),
            "max_choices": data.get("max_choices"), "scale_max": data["scale_max"], "max_length": data["max_length"],
            "text": self._per_language("text"), "help": self._per_language("help"),
            "scale_min_label": self._per_language("scale_min"), "scale_max_label": self._per_language("scale_max"),
            "condition_question": self.condition_question,
        }

    @classmethod
    def initial_for(cls, question: Question, languages) -> dict:
        initial = {"kind": question.kind, "required": question.required, "min_choices": question.min_choices,
                   "max_choices": question.max_choices, "scale_max": question.scale_max,
                   "max_length": question.max_length,
                   "condition": [str(c.pk) for c in question.condition_choices.all()]}
        choices = list(question.choices.all())
        for code in languages:
            initial[f"text_{code}"] = question.text.get(code, "")
            initial[f"help_{code}"] = question.help.get(code, "")
            initial[f"scale_min_{code}"] = question.scale_min_label.get(code, "")
            initial[f"scale_max_{code}"] = question.scale_max_label.get(code, "")
            initial[f"choices_{code}"] = "\n".join(c.label.get(code, "") for c in choices)
        return initial
