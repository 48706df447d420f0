"""Forms of the inbox's staff pages: they parse and validate; the actions decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kanava.core.models import LANGUAGE_CODES, LANGUAGE_NAMES, Topic
from kanava.inbox.actions import BULK_ACTIONS, MAX_NOTE, owners_of
from kanava.inbox.models import RECORDED_SOURCES, Kind, ResponseTargets, Source, Status
from kanava.inbox.replies import MAX_ANSWER

OPEN, ALL = "open", "all"
MINE, NOBODY = "mine", "nobody"
UNKNOWN_LANGUAGE = "unknown"


def _language_choices(first: tuple) -> list:
    return [first, *[(code, LANGUAGE_NAMES[code]) for code in LANGUAGE_CODES]]


class TopicField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name()


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name or obj.email


def owner_choices(organisation) -> list:
    return [(str(person.pk), person.display_name or person.email) for person in owners_of(organisation)]


class QueueFilterForm(forms.Form):
    """The queue's filters (GET).  An empty status means the default: everything still open."""

    status = forms.ChoiceField(label=_("Status"), required=False, initial=OPEN)
    source = forms.ChoiceField(label=_("Where from"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    topic = TopicField(label=_("Topic"), queryset=Topic.objects.none(), required=False, empty_label=_("All topics"))
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    overdue = forms.BooleanField(label=_("Only late ones"), required=False)

    def __init__(self, *args, organisation, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(OPEN, _("Open (new, in progress, waiting)")), *Status.choices,
                                         (ALL, _("All statuses"))]
        self.fields["source"].choices = [("", _("Everywhere")), *Source.choices]
        self.fields["language"].choices = [*_language_choices(("", _("All languages"))),
                                           (UNKNOWN_LANGUAGE, _("Not recognised"))]
        self.fields["kind"].choices = [("", _("All kinds")), *Kind.choices]
        topics = Topic.objects.filter(organisation=organisation).order_by("slug")
        self.fields["topic"].queryset = topics
        # A plain list: one query, where the model iterator counts and then reads on every render.
        self.fields["topic"].choices = [("", _("All topics")), *[(t.pk, t.display_name()) for t in topics]]
        self.fields["owner"].choices = [("", _("Anyone or nobody")), (MINE, _("Mine")), (NOBODY, _("Nobody")),
                                        *(owners if owners is not None
                                          else owner_choices(organisation))]

    def filters(self) -> dict:
        """The valid filters; what does not validate is ignored (and the default status stays)."""
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in ("", None, False)}
        data.setdefault("status", OPEN)
        return data


class BulkForm(forms.Form):
    """One action for the conversations ticked on the queue."""

    ids = forms.TypedMultipleChoiceField(coerce=int, required=False)
    action = forms.ChoiceField(label=_("With the chosen conversations"))
    owner = forms.ChoiceField(label=_("Assign to"), required=False)
    status = forms.ChoiceField(label=_("Set status to"), required=False)

    def __init__(self, *args, organisation, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {"assign": _("Assign to a person"), "status": _("Set the status"), "close": _("Close"),
                  "spam": _("Mark as spam")}
        self.fields["action"].choices = [(action, labels[action]) for action in BULK_ACTIONS]
        self.fields["owner"].choices = [("", _("Nobody")), *(owners if owners is not None
                                                             else owner_choices(organisation))]
        self.fields["status"].choices = Status.choices
        # Any id is accepted here; the action keeps only the organisation's own conversations.
        self.fields["ids"].valid_value = lambda value: True

    def value(self):
        action = self.cleaned_data["action"]
        if action == "assign":
            return self.cleaned_data["owner"]
        if action == "status":
            return self.cleaned_data["status"]
        return None


class DetailsForm(forms.Form):
    """Status, owner, topic and the accessibility flag of one conversation."""

    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    owner = PersonField(label=_("Owner"), queryset=None, required=False, empty_label=_("Nobody"))
    topic = TopicField(label=_("Topic"), queryset=Topic.objects.none(), required=False, empty_label=_("No topic"))
    accessibility = forms.BooleanField(
        label=_("This is accessibility feedback"), required=False,
        help_text=_("Accessibility feedback must be answered within 14 days by law; the due time changes."))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners_of(organisation)
        self.fields["topic"].queryset = Topic.objects.filter(organisation=organisation).order_by("slug")


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Internal note"), max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Only your colleagues see notes."),
                           error_messages={"required": _("Write the note first.")})


class CorrectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("It is really"), choices=Kind.choices)


HOW_ANSWERED = [("phone", _("By phone")), ("letter", _("By letter")), ("desk", _("At the service desk")),
                ("email", _("By email"))]


class ReplyForm(forms.Form):
    """The composer: the answer, and (for conversations with no channel to answer through) how it was given."""

    text = forms.CharField(label=_("Your answer"), max_length=MAX_ANSWER, required=False,
                           widget=forms.Textarea(attrs={"rows": 8}), strip=False)
    how = forms.ChoiceField(label=_("How did you answer?"), choices=HOW_ANSWERED, required=False)

    def __init__(self, *args, language: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if language:  # spelling and screen readers follow the conversation's language
            self.fields["text"].widget.attrs["lang"] = language

    def typed(self) -> str:
        """What was typed, even when the form does not validate (for the checks)."""
        return str(self.data.get("text", ""))[:MAX_ANSWER * 2]


class RecordFeedbackForm(forms.Form):
    """Feedback given by phone, on paper or at the service desk, written down by staff."""

    how = forms.ChoiceField(label=_("How was it given?"), widget=forms.RadioSelect)
    name = forms.CharField(label=_("Resident's name"), max_length=200, required=False)
    contact = forms.CharField(label=_("Phone number, email or address"), max_length=320, required=False,
                              help_text=_("How to reach them with the answer, if they want one."))
    text = forms.CharField(label=_("What they said"), widget=forms.Textarea(attrs={"rows": 8}),
                           max_length=MAX_NOTE, error_messages={"required": _("Write down what the resident said.")})
    language = forms.ChoiceField(label=_("Language"), required=False,
                                 help_text=_("Leave it to be recognised from the text, or choose."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["how"].choices = [(source.value, source.label) for source in RECORDED_SOURCES]
        self.fields["language"].choices = _language_choices(("", _("Recognise from the text")))


class TargetsForm(forms.ModelForm):
    class Meta:
        model = ResponseTargets
        fields = ["question_days", "feedback_days", "complaint_days", "other_days", "remind_hours",
                  "workday_start", "workday_end"]
        labels = {"workday_start": _("The working day starts at"), "workday_end": _("The working day ends at")}
        widgets = {"workday_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                   "workday_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def clean(self):
        data = super().clean()
        start, end = data.get("workday_start"), data.get("workday_end")
        if start and end and start >= end:
            self.add_error("workday_end", _("The working day must end after it starts."))
        for name in ("question_days", "feedback_days", "complaint_days", "other_days"):
            if data.get(name) is not None and not 1 <= data[name] <= 60:
                self.add_error(name, _("Give a number of working days from 1 to 60."))
        return data
