"""Forms of the framework's pages: the process list filter, following, the staff process and outcome forms."""

from __future__ import annotations

import json
from importlib import import_module

from django import forms
from django.conf import settings
from django.forms import formset_factory
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from kanava.core.models import Topic
from kanava.participation.manifest import Level, PhaseKind, kind_choices
from kanava.participation.models import Follow, Process

TITLE_MAX = 200
SUMMARY_MAX = 1000
BODY_MAX = 50_000
NOTE_MAX = 2000


def language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


# -- resident ------------------------------------------------------------------------

class ListFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False)

    def __init__(self, *args, organisation, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *kind_choices()]
        topics = Topic.objects.filter(organisation=organisation)
        self.fields["topic"].choices = [("", _("All topics")),
                                        *[(t.slug, t.display_name(language)) for t in topics]]

    def value(self, name: str) -> str:
        return self.cleaned_data.get(name, "") if self.is_valid() else ""


class FollowForm(forms.Form):
    channel = forms.ChoiceField(label=_("How should we tell you?"), widget=forms.RadioSelect)
    wants_digest = forms.BooleanField(label=_("Send me a daily digest of what is new (at most one a day)"),
                                      required=False, initial=True)
    wants_outcome = forms.BooleanField(label=_("Tell me the outcome: what was decided and how the input was used"),
                                       required=False, initial=True)
    follow_topic = forms.BooleanField(required=False)

    def __init__(self, *args, participant, topic_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        if participant.email_verified_at and participant.email:
            choices.append((Follow.Channel.EMAIL, _("By email to %(address)s") % {"address": participant.email}))
        if participant.phone_verified_at and participant.phone:
            choices.append((Follow.Channel.SMS, _("By text message to %(number)s") % {"number": participant.phone}))
        self.fields["channel"].choices = choices
        if choices:
            self.fields["channel"].initial = choices[0][0]
        if topic_name:
            self.fields["follow_topic"].label = _("Also follow new processes on the topic “%(topic)s”") % {
                "topic": topic_name}
        else:
            del self.fields["follow_topic"]

    def clean(self):
        data = super().clean()
        if not data.get("wants_digest") and not data.get("wants_outcome"):
            raise forms.ValidationError(_("Choose the digest, the outcome or both."))
        return data


# -- staff: the process --------------------------------------------------------------

class ProcessForm(forms.Form):
    """The process's own fields; texts per language of the organisation, identity level per action."""

    slug = forms.SlugField(label=_("Address name"), max_length=80,
                           help_text=_("Part of the page address: lower-case letters, numbers and hyphens."))
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.none(), required=False)
    matter_reference = forms.CharField(label=_("Pending matter: case number"), max_length=100, required=False)
    matter_url = forms.URLField(label=_("Pending matter: link"), required=False, assume_scheme="https")
    languages = forms.MultipleChoiceField(label=_("Languages of the process"), widget=forms.CheckboxSelectMultiple)
    image = forms.ImageField(label=_("Image"), required=False)
    settings = forms.CharField(label=_("Kind settings (JSON)"), widget=forms.Textarea(attrs={"rows": 4}),
                               required=False, max_length=20_000)

    def __init__(self, *args, organisation, kind, process: Process | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation, self.kind, self.process = organisation, kind, process
        self.text_languages = list(organisation.required_languages)
        self.fields["topic"].queryset = Topic.objects.filter(organisation=organisation)
        self.fields["languages"].choices = [(code, language_name(code)) for code, _name in settings.LANGUAGES]
        for code in self.text_languages:
            name = language_name(code)
            self.fields[f"title_{code}"] = forms.CharField(label=_("Title (%(language)s)") % {"language": name},
                                                           max_length=TITLE_MAX)
            self.fields[f"summary_{code}"] = forms.CharField(
                label=_("Summary (%(language)s)") % {"language": name}, max_length=SUMMARY_MAX, required=False,
                widget=forms.Textarea(attrs={"rows": 2}))
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Description (%(language)s)") % {"language": name}, max_length=BODY_MAX, required=False,
                widget=forms.Textarea(attrs={"rows": 8}), help_text=_("Markdown: **bold**, lists, [links](https://…)."))
            self.fields[f"image_alt_{code}"] = forms.CharField(
                label=_("Image description for screen readers (%(language)s)") % {"language": name},
                max_length=300, required=False)
            self.fields[f"contact_{code}"] = forms.CharField(
                label=_("Contact person (%(language)s)") % {"language": name}, max_length=500, required=False)
        for action in kind.actions:
            self.fields[f"level_{action.name}"] = forms.TypedChoiceField(
                label=_("Identification needed to: %(action)s") % {"action": action.label},
                choices=[(int(level), level.label) for level in action.allowed_levels], coerce=int,
                initial=int(action.default_level))
        if process is not None:
            self._fill_from(process)
        else:
            self.fields["languages"].initial = self.text_languages

    def _fill_from(self, process: Process) -> None:
        self.initial.update({
            "slug": process.slug, "topic": process.topic_id, "matter_reference": process.matter_reference,
            "matter_url": process.matter_url, "languages": process.languages,
            "settings": json.dumps(process.settings, ensure_ascii=False, indent=2) if process.settings else "",
        })
        for code in self.text_languages:
            for name in ("title", "summary", "body", "image_alt", "contact"):
                self.initial[f"{name}_{code}"] = getattr(process, name).get(code, "")
        for action in self.kind.actions:
            self.initial[f"level_{action.name}"] = int(process.level_for(action.name))

    def language_rows(self):
        """The per-language fields grouped for the template: [(language name, [bound fields])]."""
        return [(language_name(code), [self[f"{name}_{code}"] for name in ("title", "summary", "body", "image_alt",
                                                                          "contact")])
                for code in self.text_languages]

    def level_fields(self):
        return [self[f"level_{action.name}"] for action in self.kind.actions]

    def clean_slug(self):
        slug = slugify(self.cleaned_data["slug"])
        taken = Process.objects.filter(organisation=self.organisation, slug=slug)
        if self.process is not None:
            taken = taken.exclude(pk=self.process.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another process already has this address name. Choose another."))
        return slug

    def clean_settings(self):
        raw = self.cleaned_data.get("settings", "").strip()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("The settings are not valid JSON."))
        if not isinstance(value, dict):
            raise forms.ValidationError(_("The settings must be a JSON object: {\"name\": value, …}."))
        return validate_kind_settings(self.kind, value)

    def values(self) -> dict:
        """The cleaned data as keyword arguments of ``do_create_process`` / ``do_update_process``."""
        data = self.cleaned_data

        def texts(name):
            return {code: data[f"{name}_{code}"].strip() for code in self.text_languages
                    if data.get(f"{name}_{code}", "").strip()}

        return {
            "slug": data["slug"], "topic": data["topic"], "matter_reference": data["matter_reference"],
            "matter_url": data["matter_url"], "languages": list(data["languages"]), "settings": data["settings"],
            "title": texts("title"), "summary": texts("summary"), "body": texts("body"),
            "image_alt": texts("image_alt"), "contact": texts("contact"), "image": data.get("image"),
            "identity_levels": {action.name: int(data[f"level_{action.name}"]) for action in self.kind.actions},
        }


def validate_kind_settings(kind, value: dict) -> dict:
    """Check kind settings with the manifest's ``settings_form`` (a form class) or typed ``settings`` class."""
    form_class = kind.extra.get("settings_form")
    if form_class is not None:
        if isinstance(form_class, str):
            form_class = _import(form_class)
        form = form_class(data=value)
        if not form.is_valid():
            problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
            raise forms.ValidationError(_("The settings are not valid: %(problems)s") % {"problems": problems})
        return {**value, **{k: v for k, v in form.cleaned_data.items() if isinstance(v, (str, int, float, bool,
                                                                                       list, dict, type(None)))}}
    typed = kind.extra.get("settings")
    if isinstance(typed, str):
        try:
            parser = getattr(_import(typed), "parse", None)
            if parser is not None:
                parser(value)
        except (TypeError, ValueError, KeyError) as error:
            raise forms.ValidationError(_("The settings are not valid: %(problems)s") % {"problems": error})
    return value


def _import(dotted: str):
    module, _sep, name = dotted.rpartition(".")
    return getattr(import_module(module), name)


class PhaseForm(forms.Form):
    pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Phase"), required=False)
    starts_at = forms.DateTimeField(label=_("Starts"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                                  format="%Y-%m-%dT%H:%M"))
    ends_at = forms.DateTimeField(label=_("Ends"), required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                             format="%Y-%m-%dT%H:%M"),
                                  help_text=_("Leave empty for a phase that stays open (results)."))

    def __init__(self, *args, phase_kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(PhaseKind.CHOICES)
        # A blank first choice: the empty extra row stays unchanged, and is ignored, until someone fills it in.
        self.fields["kind"].choices = [("", "—")] + [(kind, labels[kind]) for kind in phase_kinds]

    def clean(self):
        data = super().clean()
        if data.get("DELETE"):
            return data
        if data.get("starts_at") and not data.get("kind"):
            self.add_error("kind", _("Choose which phase this is."))
        if not data.get("starts_at") and (data.get("kind") or data.get("ends_at")):
            self.add_error("starts_at", _("Give the phase a start time."))
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("A phase must end after it starts."))
        return data


BasePhaseFormSet = formset_factory(PhaseForm, extra=1, can_delete=True, max_num=12, validate_max=True)


class PhaseFormSet(BasePhaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [form.cleaned_data for form in self.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("starts_at")]
        if not kept:
            raise forms.ValidationError(_("Add at least one phase with a start time."))
        kept.sort(key=lambda data: data["starts_at"])
        for earlier, later in zip(kept, kept[1:]):
            if earlier.get("ends_at") is None or earlier["ends_at"] > later["starts_at"]:
                raise forms.ValidationError(_("Phases must not overlap: each phase must end before the next starts."))

    def phases(self):
        from kanava.participation.actions import PhaseData

        kept = [form.cleaned_data for form in self.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("starts_at")]
        return [PhaseData(kind=data["kind"], starts_at=data["starts_at"], ends_at=data.get("ends_at"),
                          pk=data.get("pk")) for data in sorted(kept, key=lambda d: d["starts_at"])]


def phase_formset(kind, process=None, data=None, add_row: bool = False):
    initial = None
    if process is not None:
        initial = [{"pk": p.pk, "kind": p.kind, "starts_at": p.starts_at, "ends_at": p.ends_at}
                   for p in process.phases.all()]
    if data is not None and add_row:
        data = data.copy()
        data["phases-TOTAL_FORMS"] = str(int(data.get("phases-TOTAL_FORMS") or 0) + 1)
    return PhaseFormSet(data=data, initial=initial, prefix="phases",
                        form_kwargs={"phase_kinds": kind.phase_kinds})


# -- staff: the outcome --------------------------------------------------------------

class OutcomeForm(forms.Form):
    decision_url = forms.URLField(label=_("Link to the decision or minutes"), required=False, assume_scheme="https")
    decided_at = forms.DateField(label=_("Decided on"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, organisation, outcome=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.text_languages = list(organisation.required_languages)
        for code in self.text_languages:
            name = language_name(code)
            self.fields[f"decision_title_{code}"] = forms.CharField(
                label=_("Decision (%(language)s)") % {"language": name}, max_length=TITLE_MAX, required=False)
            self.fields[f"text_{code}"] = forms.CharField(
                label=_("You said, we did (%(language)s)") % {"language": name}, max_length=BODY_MAX,
                widget=forms.Textarea(attrs={"rows": 8}), help_text=_("Markdown."))
        if outcome is not None:
            self.initial.update({"decision_url": outcome.decision_url, "decided_at": outcome.decided_at})
            for code in self.text_languages:
                self.initial[f"text_{code}"] = outcome.text.get(code, "")
                self.initial[f"decision_title_{code}"] = outcome.decision_title.get(code, "")

    def values(self) -> dict:
        data = self.cleaned_data

        def texts(name):
            return {code: data[f"{name}_{code}"].strip() for code in self.text_languages
                    if data.get(f"{name}_{code}", "").strip()}

        return {"text": texts("text"), "decision_title": texts("decision_title"),
                "decision_url": data["decision_url"], "decided_at": data["decided_at"]}


class OutcomeLinkForm(forms.Form):
    item = forms.ChoiceField(label=_("Input"), help_text=_("Ideas, proposals and comments of this process."))
    note = forms.CharField(label=_("Note: how this input shaped the decision"), max_length=NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, item_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "—"), *item_choices]

    def item_ref(self) -> tuple[str, int]:
        """("app_label.model", id) of the chosen item."""
        item_type, _sep, item_id = self.cleaned_data["item"].rpartition(":")
        return item_type, int(item_id)


LEVEL_CHOICES = [(int(level), level.label) for level in Level]
