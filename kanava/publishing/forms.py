"""Forms of the staff pages for messages.

The editor is one form: a fieldset per language, topic, voice, channels,
images and attachments.  Forms only parse and validate what was typed; the
views hand the result to :mod:`kanava.publishing.actions`.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from kanava.channels.models import Channel
from kanava.core.models import LANGUAGE_CODES, LANGUAGE_NAMES, Person, Topic
from kanava.core.roles import Role
from kanava.publishing.models import Message
from kanava.publishing.uploads import validate_attachment, validate_image

VERSION_FIELDS = ("title", "summary", "body", "plain_title", "plain_body")
MAX_LENGTHS = {"title": 200, "summary": 400, "plain_title": 200}
IMAGE_ACCEPT = "image/jpeg,image/png,image/webp,image/gif"
ATTACHMENT_ACCEPT = ".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp,.rtf,.txt,.csv"


def form_languages(organisation) -> list[str]:
    """The organisation's required languages (majority first), then English if optional."""
    languages = [organisation.majority_language]
    languages += [code for code in organisation.required_languages if code not in languages]
    languages += [code for code in LANGUAGE_CODES if code == "en" and code not in languages]
    return languages


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class ChannelChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        if obj.owner_id:
            return gettext_now("%(channel)s (personal account of %(name)s)") % {"channel": obj.name,
                                                                               "name": obj.owner}
        return obj.name


def _version_fields(language: str) -> dict[str, forms.Field]:
    # The inputs carry the language of their content, for spelling and screen readers.
    line, box = {"lang": language}, {"lang": language, "rows": 12}
    return {
        f"title_{language}": forms.CharField(label=_("Title"), max_length=200, required=False,
                                             widget=forms.TextInput(attrs=line)),
        f"summary_{language}": forms.CharField(
            label=_("Summary"), max_length=400, required=False, widget=forms.TextInput(attrs=line),
            help_text=_("One or two sentences shown in lists and feeds.")),
        f"body_{language}": forms.CharField(
            label=_("Text"), required=False, widget=forms.Textarea(attrs=box),
            help_text=_("Markdown: paragraphs, lists, **bold**, [links](https://...).")),
        f"plain_title_{language}": forms.CharField(label=_("Plain-language title"), max_length=200, required=False,
                                                   widget=forms.TextInput(attrs=line)),
        f"plain_body_{language}": forms.CharField(
            label=_("Plain-language text"), required=False, widget=forms.Textarea(attrs={**box, "rows": 8})),
    }


def _alt_field(language: str) -> forms.CharField:
    return forms.CharField(label=LANGUAGE_NAMES[language], max_length=500, required=False,
                           widget=forms.TextInput(attrs={"lang": language}))


class MessageForm(forms.Form):
    """Everything about a message that its author writes.

    ``versions()`` gives the texts per language for the actions;
    ``lenient_versions()`` gives what was typed even when the form is invalid,
    for the live checks.
    """

    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.none(), required=False,
                                   empty_label=_("No topic"))
    voice = PersonChoiceField(
        label=_("Published in the name of"), queryset=Person.objects.none(), required=False,
        empty_label=_("The organisation"),
        help_text=_("A voice must approve what is published in their name."))
    channels = ChannelChoiceField(
        label=_("Channels"), queryset=Channel.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("The personal accounts of the person the message is published in the name of are listed "
                    "too. Without JavaScript, choose the person and press Check to see their accounts."))
    new_image = forms.FileField(
        label=_("Add an image"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
        help_text=_("JPEG, PNG, WebP or GIF. Write its alternative text in every language of the message."))
    new_attachment = forms.FileField(
        label=_("Add an attachment"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ATTACHMENT_ACCEPT}),
        help_text=_("PDF, office document or text file."))
    new_attachment_title = forms.CharField(label=_("Title of the attachment"), max_length=200, required=False)

    def __init__(self, *args, organisation, message: Message | None = None, voice: Person | None = None,
                 **kwargs):
        """``voice`` (a new message only): preselect this voice and their personal accounts."""
        self.organisation = organisation
        self.message = message
        self.languages = form_languages(organisation)
        self.images = list(message.images.all()) if message else []
        self.attachments = list(message.attachments.all()) if message else []
        kwargs.setdefault("initial", self._initial_from(message) if message else self._initial_new(voice))
        super().__init__(*args, **kwargs)
        self._add_dynamic_fields()
        self.fields["topic"].queryset = Topic.objects.filter(organisation=organisation)
        self.fields["voice"].queryset = voices_of(organisation)
        self.fields["voice"].widget.attrs.update(self._voice_refreshes_channels())
        self.fields["channels"].queryset = self._channel_choices()

    # -- building ------------------------------------------------------------
    def _add_dynamic_fields(self) -> None:
        for language in self.languages:
            self.fields.update(_version_fields(language))
        for image in self.images:
            for language in self.languages:
                self.fields[f"image_{image.pk}_alt_{language}"] = _alt_field(language)
            self.fields[f"image_{image.pk}_remove"] = forms.BooleanField(
                label=_("Remove this image"), required=False)
        for language in self.languages:
            self.fields[f"new_image_alt_{language}"] = _alt_field(language)
        for attachment in self.attachments:
            self.fields[f"attachment_{attachment.pk}_remove"] = forms.BooleanField(
                label=_("Remove this attachment"), required=False)

    def _initial_new(self, voice: Person | None) -> dict:
        if voice is not None:  # a voice's own post: their personal accounts
            personal = Channel.objects.filter(organisation=self.organisation, enabled=True, owner=voice)
            return {"voice": voice.pk, "channels": list(personal)}
        default = Channel.objects.filter(organisation=self.organisation, enabled=True, selected_by_default=True,
                                         owner=None)
        return {"channels": list(default)}

    # -- channels: the organisation's, and the chosen voice's personal accounts ------------
    def _raw(self, name: str):
        if self.is_bound:
            widget = self.fields[name].widget
            return widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        value = self.initial.get(name)
        if name == "channels":
            return [getattr(item, "pk", item) for item in value or []]
        return getattr(value, "pk", value)

    def selected_voice_id(self) -> int | None:
        """The voice chosen in the form as typed (valid or not), to list their accounts."""
        raw = self._raw("voice")
        try:
            pk = int(raw) if raw not in (None, "") else None
        except (TypeError, ValueError):
            return None
        return pk if pk and self.fields["voice"].queryset.filter(pk=pk).exists() else None

    def _channel_choices(self):
        """The organisation's channels, the selected voice's own, and any ticked one (to say why it cannot be)."""
        ticked = []
        for raw in self._raw("channels") or []:
            try:
                ticked.append(int(raw))
            except (TypeError, ValueError):
                continue
        voice = self.selected_voice_id()
        return (Channel.objects.filter(organisation=self.organisation, enabled=True)
                .filter(Q(owner=None) | Q(owner=voice) | Q(pk__in=ticked)).select_related("owner")
                .order_by(F("owner").asc(nulls_first=True), "kind", "name", "pk"))

    def _voice_refreshes_channels(self) -> dict:
        """With JavaScript, choosing a voice lists their personal accounts at once (htmx)."""
        kwargs = {"org": self.organisation.slug}
        if self.message is not None:
            kwargs["pk"] = self.message.pk
        return {"hx-post": reverse("publishing:message_check", kwargs=kwargs), "hx-trigger": "change",
                "hx-target": "#channel-choices", "hx-select": "#channel-choices", "hx-swap": "outerHTML",
                "hx-include": "closest form"}

    def _initial_from(self, message: Message) -> dict:
        initial = {"topic": message.topic_id, "voice": message.voice_id,
                   "channels": list(message.channels.all())}
        for version in message.versions.all():
            for name in VERSION_FIELDS:
                initial[f"{name}_{version.language}"] = getattr(version, name)
        for image in message.images.all():
            for language, text in (image.alt or {}).items():
                initial[f"image_{image.pk}_alt_{language}"] = text
        return initial

    # -- what the template walks through ------------------------------------------
    def language_sections(self) -> list[dict]:
        sections = []
        for language in self.languages:
            plain = [self[f"plain_title_{language}"], self[f"plain_body_{language}"]]
            sections.append({
                "code": language,
                "name": LANGUAGE_NAMES[language],
                "required": language in self.organisation.required_languages,
                "fields": [self[f"{name}_{language}"] for name in ("title", "summary", "body")],
                "plain": plain,
                "plain_open": any(field.value() or field.errors for field in plain),
            })
        return sections

    def image_rows(self) -> list[dict]:
        return [{"image": image,
                 "alt": [self[f"image_{image.pk}_alt_{language}"] for language in self.languages],
                 "remove": self[f"image_{image.pk}_remove"]} for image in self.images]

    def new_image_alt(self) -> list:
        return [self[f"new_image_alt_{language}"] for language in self.languages]

    def attachment_rows(self) -> list[dict]:
        return [{"attachment": attachment, "remove": self[f"attachment_{attachment.pk}_remove"]}
                for attachment in self.attachments]

    # -- validation -------------------------------------------------------------
    def clean_new_image(self):
        upload = self.cleaned_data.get("new_image")
        if upload:
            validate_image(upload)
        return upload

    def clean_new_attachment(self):
        upload = self.cleaned_data.get("new_attachment")
        if upload:
            validate_attachment(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        present = self.present_languages()
        if not present:
            raise ValidationError(_("Write a title and a text in at least one language."), code="empty")
        for language in present:
            if not (cleaned.get(f"title_{language}") or "").strip():
                self.add_error(f"title_{language}", _("A language version needs a title."))
            if not (cleaned.get(f"body_{language}") or "").strip():
                self.add_error(f"body_{language}", _("A language version needs a text."))
        if cleaned.get("new_image"):
            for language in present:
                if not (cleaned.get(f"new_image_alt_{language}") or "").strip():
                    self.add_error(f"new_image_alt_{language}", _(
                        "Describe the image in this language for people who cannot see it."))
        self._check_personal_channels(cleaned)
        return cleaned

    def _check_personal_channels(self, cleaned: dict) -> None:
        """A ticked personal account must belong to the voice chosen; say so rather than drop it."""
        if "voice" not in cleaned or not cleaned.get("channels"):
            return
        voice = cleaned["voice"]
        for channel in cleaned["channels"]:
            if channel.owner_id and channel.owner_id != (voice.pk if voice else None):
                self.add_error("channels", _(
                    "%(channel)s is the personal account of %(name)s: it can only be used for messages published "
                    "in their name. Choose %(name)s under “Published in the name of”, or untick %(channel)s.")
                    % {"channel": channel.name, "name": channel.owner})

    def present_languages(self) -> list[str]:
        """Languages in which a title or a text was typed."""
        return [language for language, fields in self.lenient_versions().items()
                if fields["title"] or fields["body"]]

    # -- results ---------------------------------------------------------------------
    def _typed(self, name: str, limit: int | None = None) -> str:
        value = str(self[name].value() or "").strip()
        return value[:limit] if limit else value

    def lenient_versions(self) -> dict[str, dict]:
        """What was typed per language, cut to the allowed lengths, valid or not."""
        return {language: {name: self._typed(f"{name}_{language}", MAX_LENGTHS.get(name))
                           for name in VERSION_FIELDS}
                for language in self.languages}

    def versions(self) -> dict[str, dict]:
        """Texts per language for ``do_create_message``/``do_update_message`` (valid form)."""
        return {language: {name: self.cleaned_data.get(f"{name}_{language}", "") for name in VERSION_FIELDS}
                for language in self.languages}

    def alt_texts(self, image) -> dict[str, str]:
        return {language: self._typed(f"image_{image.pk}_alt_{language}", 500) for language in self.languages}

    def new_image_alt_texts(self) -> dict[str, str]:
        return {language: self.cleaned_data.get(f"new_image_alt_{language}", "") for language in self.languages}

    def removed_images(self) -> list:
        return [image for image in self.images if self.cleaned_data.get(f"image_{image.pk}_remove")]

    def removed_attachments(self) -> list:
        return [item for item in self.attachments if self.cleaned_data.get(f"attachment_{item.pk}_remove")]

    def choice(self, name: str):
        """A cleaned choice, or the current value when the form is not valid (for the live checks)."""
        if name in getattr(self, "cleaned_data", {}):
            return self.cleaned_data[name]
        if name == "channels":
            return list(self.message.channels.all()) if self.message else list(self.initial.get("channels", []))
        return getattr(self.message, name) if self.message else None


def voices_of(organisation):
    """The people who may publish in their own name in this organisation."""
    return (Person.objects.filter(memberships__organisation=organisation, memberships__role=Role.VOICE)
            .distinct().order_by("display_name", "email"))


class VariantForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    text = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 10}))


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the message rejected?"), widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the message is rejected, so the author can fix it.")},
        help_text=_("The author sees this and can fix the message."))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why the message is rejected, so the author can fix it."))
        return reason


class AskChangesForm(forms.Form):
    """A voice sends a message back to the team: what should change."""

    reason = forms.CharField(
        label=_("What should be changed?"), widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say what should be changed, so the team can fix it.")},
        help_text=_("The team sees this and sends the message to you again."))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say what should be changed, so the team can fix it."))
        return reason


class ScheduleForm(forms.Form):
    when = forms.DateTimeField(
        label=_("Publish at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": _("Choose the date and time of publishing."),
                        "invalid": _("Enter the date and time as YYYY-MM-DD HH:MM.")},
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["when"].help_text = _("In the time zone %(zone)s.") % {"zone": organisation.time_zone}


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("Write a comment first.")})


class MessageFilterForm(forms.Form):
    """The filters of the message list (GET)."""

    q = forms.CharField(label=_("Search in titles"), required=False, max_length=200)
    state = forms.ChoiceField(label=_("State"), required=False)
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.none(), required=False,
                                   empty_label=_("All topics"))
    author = PersonChoiceField(label=_("Author"), queryset=Person.objects.none(), required=False,
                               empty_label=_("Everyone"))
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All states")), *Message.State.choices]
        self.fields["language"].choices = [("", _("All languages")),
                                           *[(code, LANGUAGE_NAMES[code]) for code in LANGUAGE_CODES]]
        self.fields["topic"].queryset = Topic.objects.filter(organisation=organisation)
        self.fields["author"].queryset = (Person.objects.filter(memberships__organisation=organisation)
                                          .distinct().order_by("display_name", "email"))
