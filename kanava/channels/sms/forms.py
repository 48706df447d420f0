"""Forms of the SMS channel: opt-in and opt-out by web form, and the gateway settings."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kanava.channels.sms.phones import normalise_phone
from kanava.core.models import LANGUAGE_NAMES, Organisation, Topic

# A language is offered in its own name, so its speakers find it whatever the page language.
ENDONYMS = {"fi": "suomi", "sv": "svenska", "en": "English"}


class PhoneNumberField(forms.CharField):
    """A mobile number typed any common way; cleaned to E.164."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("label", _("Mobile phone number"))
        kwargs.setdefault("help_text", _("For example 040 123 4567, or +46 70 123 4567 for a foreign number."))
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})

    def clean(self, value):
        value = super().clean(value)
        return normalise_phone(value) if value else value


class TopicChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Topic) -> str:
        return obj.display_name()


class SubscribeForm(forms.Form):
    ALL, CHOSEN = "all", "chosen"

    phone = PhoneNumberField()
    language = forms.ChoiceField(label=_("Language of the messages"), widget=forms.RadioSelect)
    scope = forms.ChoiceField(
        label=_("Which news do you want?"), widget=forms.RadioSelect, initial=ALL,
        choices=[(ALL, _("All news")), (CHOSEN, _("Only the topics I choose below"))],
    )
    topics = TopicChoiceField(label=_("Topics"), queryset=Topic.objects.none(), required=False,
                              widget=forms.CheckboxSelectMultiple)
    consent = forms.BooleanField(required=True)

    def __init__(self, *args, organisation: Organisation, language: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        languages = organisation.required_languages or [organisation.majority_language]
        self.fields["language"].choices = [(code, ENDONYMS.get(code, LANGUAGE_NAMES[code])) for code in languages]
        self.fields["language"].initial = language if language in languages else organisation.majority_language
        topics = Topic.objects.filter(organisation=organisation)
        if topics.exists():
            self.fields["topics"].queryset = topics
        else:
            del self.fields["scope"], self.fields["topics"]
        self.fields["consent"].label = gettext(
            "I agree that %(organisation)s sends news to this number by SMS. I can stop them at any time."
        ) % {"organisation": organisation.display_name()}
        self.fields["consent"].error_messages["required"] = _("Tick the box to agree to receive news by SMS.")

    def clean(self):
        data = super().clean()
        if data.get("scope") == self.CHOSEN and not data.get("topics"):
            self.add_error("topics", _("Choose at least one topic, or choose all news."))
        return data

    @property
    def all_topics(self) -> bool:
        return self.cleaned_data.get("scope", self.ALL) == self.ALL

    @property
    def chosen_topics(self) -> list[Topic]:
        return [] if self.all_topics else list(self.cleaned_data.get("topics") or [])


class UnsubscribeForm(forms.Form):
    phone = PhoneNumberField()


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"), max_length=6, min_length=6,
        help_text=_("Six digits. The code is valid for 10 minutes."),
        error_messages={"min_length": _("The code has six digits."), "max_length": _("The code has six digits.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"})

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise forms.ValidationError(_("The code has six digits."))
        return code


class EstimateForm(forms.Form):
    """Input of the editor's live counter (htmx)."""

    channel = forms.IntegerField()
    language = forms.ChoiceField(choices=[(code, code) for code in LANGUAGE_NAMES])
    text = forms.CharField(required=False, strip=False, max_length=10_000)
    message = forms.IntegerField(required=False)
