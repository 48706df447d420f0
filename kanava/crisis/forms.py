"""Staff forms of playbooks and their message templates.  They keep what was typed when refused."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanava.channels.models import Channel
from kanava.core.models import LANGUAGE_CODES, LANGUAGE_NAMES, Organisation, Topic
from kanava.crisis import actions
from kanava.inbox.models import Claim
from kanava.crisis.models import Playbook, PlaybookContact, PlaybookTemplate

LINES_HELP = gettext_lazy("One per line: name | role | email | phone.")


def languages_of(organisation: Organisation) -> list[str]:
    own = [code for code in organisation.required_languages if code in LANGUAGE_CODES]
    return own + [code for code in LANGUAGE_CODES if code not in own]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _cells(line: str, count: int) -> list[str]:
    cells = [cell.strip() for cell in line.split("|")]
    return (cells + [""] * count)[:count]


class PlaybookForm(forms.Form):
    scenario = forms.ChoiceField(label=gettext_lazy("Scenario"), choices=Playbook.Scenario.choices)
    update_cadence_minutes = forms.IntegerField(
        label=gettext_lazy("Update cadence in minutes"), min_value=5, max_value=24 * 60, initial=60,
        help_text=gettext_lazy("How often residents get an update while the incident is open."))
    review_interval_days = forms.IntegerField(
        label=gettext_lazy("Review interval in days"), min_value=7, max_value=730, initial=180,
        help_text=gettext_lazy("The playbook is flagged as out of date when it has not been reviewed for this long."))
    channel_order = forms.CharField(
        label=gettext_lazy("Channel order"), required=False,
        help_text=gettext_lazy("Channel kinds in the order the first message goes out, separated by commas, "
                               "for example: banner, website, sms, email, facebook. “banner” is the site-wide "
                               "banner on every page of the resident site."))
    audience_topics = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Subscriber lists (topics)"), queryset=Topic.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("SMS and email go to subscribers of these topics; none chosen: all subscribers."))
    areas = forms.CharField(
        label=gettext_lazy("Areas"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line: name in Finnish | name in Swedish | polygon (lat,lon lat,lon …, the "
                               "last point the same as the first) | geocode name=value | the address name of the "
                               "area's subscriber list (topic), whom SMS and email reach. Only the name is needed."))
    internal_contacts = forms.CharField(label=gettext_lazy("Internal contacts to alert"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 3}), help_text=LINES_HELP)
    partners = forms.CharField(label=gettext_lazy("Partners to alert"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}), help_text=LINES_HELP)
    roles = forms.CharField(label=gettext_lazy("Roles"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=gettext_lazy("One per line: role | who holds it."))
    checklist = forms.CharField(label=gettext_lazy("Checklist"), required=False,
                                widget=forms.Textarea(attrs={"rows": 5}),
                                help_text=gettext_lazy("One step per line, in order."))
    two_person_rule = forms.BooleanField(
        label=gettext_lazy("Two-person rule"), required=False,
        help_text=gettext_lazy("A second approver must confirm every crisis message before it is published."))
    exercise_channels = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Channels for drills"), queryset=Channel.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Only these channels take part in a drill."))
    exercise_topic = forms.ModelChoiceField(
        label=gettext_lazy("Exercise list (topic)"), queryset=Topic.objects.none(), required=False,
        help_text=gettext_lazy("In a drill, SMS and email go only to the subscribers of this topic; a channel with "
                               "subscribers who follow all topics is left out of drills."))
    exercise_banner = forms.BooleanField(
        label=gettext_lazy("Show the site-wide banner in drills"), required=False,
        help_text=gettext_lazy("The banner reaches every visitor of the resident site, not an exercise list."))
    prepared_claims = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Prepared rumours and answers"), queryset=Claim.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("From the claims register: linked to the incident when crisis mode opens, ready to "
                               "publish on the crisis page."))
    cap_category = forms.ChoiceField(label=gettext_lazy("Alert category (CAP)"), choices=Playbook.Category.choices)
    urgency = forms.ChoiceField(label=gettext_lazy("Urgency"), choices=Playbook.Urgency.choices)
    severity = forms.ChoiceField(label=gettext_lazy("Severity"), choices=Playbook.Severity.choices)
    certainty = forms.ChoiceField(label=gettext_lazy("Certainty"), choices=Playbook.Certainty.choices)

    def __init__(self, *args, organisation: Organisation, playbook: Playbook | None = None, **kwargs):
        if playbook is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_of(playbook)
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["audience_topics"].queryset = Topic.objects.filter(organisation=organisation)
        self.fields["exercise_topic"].queryset = Topic.objects.filter(organisation=organisation)
        self.fields["exercise_channels"].queryset = Channel.objects.filter(organisation=organisation, owner=None)
        self.fields["prepared_claims"].queryset = Claim.objects.filter(organisation=organisation)
        self.languages = languages_of(organisation)
        names = {}
        for code in self.languages:
            names[f"name_{code}"] = forms.CharField(
                label=_("Name in %(language)s") % {"language": LANGUAGE_NAMES[code]}, max_length=200,
                required=code == organisation.majority_language, widget=forms.TextInput(attrs={"lang": code}))
        self.fields = {**names, **self.fields}

    def clean_channel_order(self):
        return [kind.strip() for kind in self.cleaned_data["channel_order"].split(",") if kind.strip()]

    def clean_areas(self):
        areas = []
        topics = {topic.slug: topic for topic in Topic.objects.filter(organisation=self.organisation)}
        for line in _lines(self.cleaned_data["areas"]):
            fi, sv, polygon, geocode, slug = _cells(line, 5)
            name, _sep, value = geocode.partition("=")
            if slug and slug not in topics:
                raise ValidationError(_("There is no subscriber list (topic) “%(slug)s”. Lists: %(lists)s.") % {
                    "slug": slug, "lists": ", ".join(sorted(topics)) or "–"})
            areas.append(actions.AreaData({k: v for k, v in (("fi", fi), ("sv", sv)) if v}, polygon,
                                          name.strip(), value.strip(), topics.get(slug)))
        return areas

    def _contacts(self, field: str, group: str) -> list[actions.ContactData]:
        contacts = []
        for line in _lines(self.cleaned_data[field]):
            name, role, email, phone = _cells(line, 4)
            try:
                forms.EmailField().clean(email) if email else None
            except ValidationError:
                raise ValidationError(_("“%(email)s” is not an email address.") % {"email": email}) from None
            contacts.append(actions.ContactData(group, name, role, email, phone))
        return contacts

    def clean_internal_contacts(self):
        return self._contacts("internal_contacts", PlaybookContact.Group.INTERNAL)

    def clean_partners(self):
        return self._contacts("partners", PlaybookContact.Group.PARTNER)

    def clean_roles(self):
        return [dict(zip(("role", "holder"), _cells(line, 2))) for line in _lines(self.cleaned_data["roles"])]

    def clean_checklist(self):
        return _lines(self.cleaned_data["checklist"])

    def data_object(self) -> actions.PlaybookData:
        values = self.cleaned_data
        return actions.PlaybookData(
            scenario=values["scenario"], name={code: values[f"name_{code}"] for code in self.languages
                                               if values.get(f"name_{code}")},
            channel_order=values["channel_order"], roles=values["roles"], checklist=values["checklist"],
            update_cadence_minutes=values["update_cadence_minutes"],
            review_interval_days=values["review_interval_days"], cap_category=values["cap_category"],
            urgency=values["urgency"], severity=values["severity"], certainty=values["certainty"],
            contacts=values["internal_contacts"] + values["partners"], areas=values["areas"],
            audience_topics=list(values["audience_topics"]), two_person_rule=values["two_person_rule"],
            exercise_channels=list(values["exercise_channels"]), exercise_topic=values["exercise_topic"],
            exercise_banner=values["exercise_banner"], prepared_claims=list(values["prepared_claims"]))


def _contact_lines(playbook: Playbook, group: str) -> str:
    return "\n".join(" | ".join([c.name, c.role, c.email, c.phone]).rstrip(" |")
                     for c in playbook.contacts.all() if c.group == group)


def initial_of(playbook: Playbook) -> dict:
    initial = {f"name_{code}": text for code, text in playbook.name.items()}
    initial.update(
        scenario=playbook.scenario, update_cadence_minutes=playbook.update_cadence_minutes,
        review_interval_days=playbook.review_interval_days, channel_order=", ".join(playbook.channel_order),
        audience_topics=list(playbook.audience_topics.all()),
        areas="\n".join(" | ".join([a.name.get("fi", ""), a.name.get("sv", ""), a.polygon,
                                    f"{a.geocode_name}={a.geocode_value}" if a.geocode_value else "",
                                    a.topic.slug if a.topic else ""]).rstrip(" |")
                        for a in playbook.areas.select_related("topic")),
        internal_contacts=_contact_lines(playbook, PlaybookContact.Group.INTERNAL),
        partners=_contact_lines(playbook, PlaybookContact.Group.PARTNER),
        roles="\n".join(f"{r.get('role', '')} | {r.get('holder', '')}".rstrip(" |") for r in playbook.roles),
        checklist="\n".join(playbook.checklist), cap_category=playbook.cap_category, urgency=playbook.urgency,
        severity=playbook.severity, certainty=playbook.certainty, two_person_rule=playbook.two_person_rule,
        exercise_channels=list(playbook.exercise_channels.all()), exercise_topic=playbook.exercise_topic,
        exercise_banner=playbook.exercise_banner, prepared_claims=list(playbook.prepared_claims.all()))
    return initial


class TemplateForm(forms.Form):
    """Title, text and instruction per language; the organisation's languages are required."""

    def __init__(self, *args, organisation: Organisation, template: PlaybookTemplate | None = None, **kwargs):
        if template is not None and "initial" not in kwargs:
            kwargs["initial"] = {f"{part}_{code}": text for part in ("title", "body", "instruction")
                                 for code, text in getattr(template, part).items()}
        super().__init__(*args, **kwargs)
        self.languages = languages_of(organisation)
        self.sections = []
        for code in self.languages:
            name, required = LANGUAGE_NAMES[code], code in organisation.required_languages
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title in %(language)s") % {"language": name}, max_length=actions.MAX_TITLE,
                required=required, widget=forms.TextInput(attrs={"lang": code}))
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Text in %(language)s") % {"language": name}, max_length=actions.MAX_BODY,
                required=required, widget=forms.Textarea(attrs={"rows": 6, "lang": code}))
            self.fields[f"instruction_{code}"] = forms.CharField(
                label=_("What residents should do, in %(language)s") % {"language": name},
                max_length=actions.MAX_BODY, required=False, widget=forms.Textarea(attrs={"rows": 3, "lang": code}))
            self.sections.append({"name": name, "fields": [self[f"{p}_{code}"] for p in
                                                           ("title", "body", "instruction")]})

    def texts(self) -> dict:
        return {part: {code: self.cleaned_data.get(f"{part}_{code}", "") for code in self.languages}
                for part in ("title", "body", "instruction")}


def add_errors(form: forms.Form, error: ValidationError) -> None:
    """Put an action's errors on the form's fields (or on the form when the field is not there)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            target = name if name in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


# Crisis mode (kanava.crisis.activation) -------------------------------------------------------------

PLACEHOLDER_LABELS = {"place": gettext_lazy("Place"), "time": gettext_lazy("Time"),
                      "instructions": gettext_lazy("Instructions")}


class PlaceholderForm(forms.Form):
    """The values of a template's placeholders ({next_update} is filled from the cadence)."""

    def __init__(self, *args, template: PlaybookTemplate | None = None, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        used = actions.placeholders_in(template.title, template.body, template.instruction) if template else set()
        organisation = template.playbook.organisation if template else None
        others = [code for code in organisation.required_languages
                  if code != organisation.majority_language] if organisation else []
        self.names = []
        for name in ("place", "time", "instructions"):
            if name not in used:
                continue
            self.fields[name] = forms.CharField(label=PLACEHOLDER_LABELS[name], max_length=500, required=required)
            self.names.append(name)
            # The other language's own words (Swedish instructions for Swedish readers); empty: the same.
            for code in others:
                self.fields[f"{name}_{code}"] = forms.CharField(
                    label=_("%(field)s in %(language)s, if different") % {
                        "field": PLACEHOLDER_LABELS[name], "language": LANGUAGE_NAMES[code].lower()},
                    max_length=500, required=False, widget=forms.TextInput(attrs={"lang": code}))
                self.names.append(f"{name}_{code}")

    def placeholders(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name in self.names and value}


class AllClearForm(PlaceholderForm):
    """The all-clear closes the incident: one more tick, so that it is never a slip of the mouse."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"] = forms.BooleanField(
            label=gettext_lazy("Yes, the danger is over: publish the all-clear and close the incident"),
            required=True)


class ActivateForm(PlaceholderForm):
    exercise = forms.BooleanField(label=gettext_lazy("This is a drill (exercise)"), required=False,
                                  help_text=gettext_lazy("Every message is marked HARJOITUS / ÖVNING / EXERCISE and "
                                                         "goes only to the playbook's exercise channels and list."))

    def __init__(self, *args, playbook: Playbook | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        areas = list(playbook.areas.select_related("topic")) if playbook is not None else []
        if len(areas) > 1 or any(area.topic_id for area in areas):
            language = (get_language() or "fi")[:2]
            self.fields["area"] = AreaChoiceField(
                label=gettext_lazy("Area"), queryset=playbook.areas.select_related("topic"), required=False,
                empty_label=None, initial=areas[0].pk, language=language,
                help_text=gettext_lazy("Where the warning applies (CAP). SMS and email go to the area's subscriber "
                                       "list when it has one; a drill goes to the exercise list."))

    def area(self):
        return self.cleaned_data.get("area") if hasattr(self, "cleaned_data") else None


class AreaChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, language: str, **kwargs):
        self.language = language
        super().__init__(*args, **kwargs)

    def label_from_instance(self, area):
        name = area.name_in(self.language) or "–"
        if area.topic is None:
            return name
        return _("%(area)s (list: %(list)s)") % {"area": name, "list": area.topic.display_name(self.language)}


class FreeUpdateForm(forms.Form):
    """A free-text update: it goes through the normal review."""

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = list(organisation.required_languages)
        for code in self.languages:
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": LANGUAGE_NAMES[code]}, max_length=actions.MAX_TITLE)
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Text (%(language)s)") % {"language": LANGUAGE_NAMES[code]}, max_length=actions.MAX_BODY,
                widget=forms.Textarea(attrs={"rows": 4}))

    def texts(self) -> dict:
        return {"title": {code: self.cleaned_data[f"title_{code}"] for code in self.languages},
                "body": {code: self.cleaned_data[f"body_{code}"] for code in self.languages}}


# Rumours (kanava.crisis.rumours): the claims register from the incident page -------------------------


class RumourForm(forms.Form):
    """A rumour met during the incident and its factual answer, per language (a claim of the register)."""

    verdict = forms.ChoiceField(label=gettext_lazy("Verdict"), choices=Claim.Verdict.choices)
    sources = forms.CharField(label=gettext_lazy("Sources"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=gettext_lazy("One per line: a title and/or an address."))
    publish = forms.BooleanField(label=gettext_lazy("Publish the answer now (facts page and crisis page)"),
                                 required=False)

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = list(organisation.required_languages)
        texts = {}
        for code in self.languages:
            name = LANGUAGE_NAMES[code]
            texts[f"statement_{code}"] = forms.CharField(
                label=_("The rumour as people put it (%(language)s)") % {"language": name}, max_length=500,
                required=code == organisation.majority_language, widget=forms.TextInput(attrs={"lang": code}))
        for code in self.languages:
            texts[f"answer_{code}"] = forms.CharField(
                label=_("The factual answer (%(language)s)") % {"language": LANGUAGE_NAMES[code]}, max_length=2000,
                required=False, widget=forms.Textarea(attrs={"rows": 3, "lang": code}))
        self.fields = {**texts, **self.fields}

    def values(self) -> dict:
        data = self.cleaned_data
        return {"statement": {code: data.get(f"statement_{code}", "") for code in self.languages},
                "answer": {code: data.get(f"answer_{code}", "") for code in self.languages},
                "verdict": data["verdict"], "sources": data.get("sources", ""), "publish": data.get("publish", False)}


class LinkClaimForm(forms.Form):
    claim = forms.ModelChoiceField(label=gettext_lazy("A rumour in the claims register"), queryset=Claim.objects.none())

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claim"].queryset = queryset
