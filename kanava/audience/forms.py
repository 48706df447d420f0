"""Forms of the subscription pages (resident) and the subscriber pages (staff)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kanava.audience.addresses import normalise_email
from kanava.audience.models import Subscriber
from kanava.core.models import LANGUAGE_CODES, LANGUAGE_NAMES, Organisation, Topic

MAX_IMPORT_BYTES = 50 * 1024 * 1024
ALL, CHOSEN = "all", "chosen"


def _language_choices(codes) -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES[code]) for code in codes]


class _TopicsMixin:
    """``which`` (all news or chosen topics) and ``topics`` of the organisation."""

    def _init_topics(self, organisation: Organisation) -> None:
        topics = Topic.objects.filter(organisation=organisation).order_by("slug")
        if not topics.exists():
            del self.fields["which"]
            del self.fields["topics"]
            return
        self.fields["topics"].queryset = topics
        self.fields["topics"].label_from_instance = lambda topic: topic.display_name()

    def _clean_topics(self, cleaned: dict) -> None:
        if cleaned.get("which") == CHOSEN and not cleaned.get("topics"):
            self.add_error("topics", _("Choose at least one topic, or choose all news."))

    def chosen_topics(self) -> list[Topic] | None:
        """The chosen topics, or None for all news."""
        if self.cleaned_data.get("which") != CHOSEN:
            return None
        return list(self.cleaned_data.get("topics") or [])


def _which_field():
    return forms.ChoiceField(label=_("Which news do you want?"), widget=forms.RadioSelect, initial=ALL,
                             choices=[(ALL, _("All news")), (CHOSEN, _("Only the topics I choose below"))])


def _topics_field(label):
    return forms.ModelMultipleChoiceField(label=label, required=False, queryset=Topic.objects.none(),
                                          widget=forms.CheckboxSelectMultiple)


class EmailField(forms.CharField):
    """An email address, normalised; the error message is translated and the input kept."""

    widget = forms.EmailInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 320)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"})
        return attrs

    def clean(self, value):
        value = super().clean(value)
        return normalise_email(value) if value else value


class SubscribeForm(_TopicsMixin, forms.Form):
    email = EmailField(label=_("Email address"))
    language = forms.ChoiceField(label=_("Language of the messages"), widget=forms.RadioSelect)
    which = _which_field()
    topics = _topics_field(_("Topics"))
    # Left empty by people; bots fill in every field they see.
    website = forms.CharField(required=False, label=_("Leave this field empty"),
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        codes = list(organisation.required_languages) + [c for c in ["en"] if c not in organisation.required_languages]
        self.fields["language"].choices = _language_choices(codes)
        current = (get_language() or "")[:2]
        self.fields["language"].initial = current if current in codes else organisation.majority_language
        self.fields["language"].help_text = _("You get the messages that are published in this language.")
        self._init_topics(organisation)

    def clean(self):
        cleaned = super().clean()
        self._clean_topics(cleaned)
        return cleaned

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class AddSubscriberForm(_TopicsMixin, forms.Form):
    email = EmailField(label=_("Email address"))
    language = forms.ChoiceField(label=_("Language of the messages"), choices=_language_choices(LANGUAGE_CODES))
    which = _which_field()
    topics = _topics_field(_("Topics"))
    consent_given = forms.BooleanField(
        required=False, label=_("The person has already agreed to receive the newsletter"),
        help_text=_("For example on a paper form. Otherwise they get an email and must confirm the subscription "
                    "themselves."))

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = organisation.majority_language
        self.fields["which"].label = _("Which news?")
        self._init_topics(organisation)

    def clean(self):
        cleaned = super().clean()
        self._clean_topics(cleaned)
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("One address per row. Optional columns: language (fi, sv or en) and topics. A header row "
                    "with the column names is allowed. Comma or semicolon separated."))
    default_language = forms.ChoiceField(label=_("Language when a row does not say"),
                                         choices=_language_choices(LANGUAGE_CODES))
    consent_given = forms.BooleanField(
        label=_("Everyone on this list has agreed to receive the newsletter"),
        error_messages={"required": _("You can only import people who have agreed to receive the newsletter.")})

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_language"].initial = organisation.majority_language
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,text/csv,text/plain"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(_("The file is too large: at most %(size)s MB.")
                                  % {"size": MAX_IMPORT_BYTES // (1024 * 1024)})
        head = upload.read(4096)
        upload.seek(0)
        if b"\x00" in head:
            raise ValidationError(_("This is not a CSV file. Save the list as CSV (comma or semicolon separated) "
                                    "and try again."))
        return upload


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Address contains"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("All kinds"))] + list(Subscriber.Kind.choices))
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("All states"))] + list(Subscriber.State.choices))
    language = forms.ChoiceField(label=_("Language"), required=False,
                                 choices=[("", _("All languages"))] + _language_choices(LANGUAGE_CODES))

    def apply(self, query):
        if not self.is_valid():
            return query
        data = self.cleaned_data
        if data.get("q"):
            query = query.filter(address__icontains=data["q"].strip().lower())
        for name in ("kind", "state", "language"):
            if data.get(name):
                query = query.filter(**{name: data[name]})
        return query
