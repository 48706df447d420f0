"""Organisation settings: languages, time zone, brand colour, logo, site domain."""

import re
import zoneinfo

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from PIL import Image, UnidentifiedImageError

from kanava.core.access import can
from kanava.core.audit import Actor, record
from kanava.core.decorators import staff_view
from kanava.core.models import LANGUAGE_NAMES, Organisation
from kanava.core.roles import Cap

LOGO_FORMATS = {"PNG", "JPEG", "WEBP"}
MAX_LOGO_BYTES = 2 * 1024 * 1024
HOST_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class OrganisationForm(forms.Form):
    name_fi = forms.CharField(label=_lazy("Name in Finnish"), max_length=200, required=False)
    name_sv = forms.CharField(label=_lazy("Name in Swedish"), max_length=200, required=False)
    name_en = forms.CharField(label=_lazy("Name in English"), max_length=200, required=False)
    required_languages = forms.MultipleChoiceField(
        label=_lazy("Languages the organisation must use"), widget=forms.CheckboxSelectMultiple,
        choices=[(code, name) for code, name in LANGUAGE_NAMES.items()])
    majority_language = forms.ChoiceField(label=_lazy("Majority language"),
                                          choices=[(code, name) for code, name in LANGUAGE_NAMES.items()])
    time_zone = forms.CharField(label=_lazy("Time zone"), max_length=64)
    brand_colour = forms.RegexField(label=_lazy("Brand colour"), regex=r"^#[0-9a-fA-F]{6}$",
                                    help_text=_lazy("As #rrggbb. Kanava darkens it if needed so text stays readable."),
                                    error_messages={"invalid": _lazy("Give the colour as # and six hexadecimal digits, e.g. #0f5e8c.")})
    logo = forms.FileField(label=_lazy("Logo"), required=False, help_text=_lazy("PNG, JPEG or WebP, at most 2 MB."))
    site_domain = forms.CharField(label=_lazy("Host name of the resident site"), max_length=255, required=False)
    contact_email = forms.EmailField(label=_lazy("Contact email"), required=False)

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"].strip()
        if value not in zoneinfo.available_timezones():
            raise forms.ValidationError(_("Unknown time zone. Use a name such as Europe/Helsinki."))
        return value

    def clean_site_domain(self):
        value = self.cleaned_data["site_domain"].strip().lower()
        if value and not HOST_RE.match(value):
            raise forms.ValidationError(_("Give a host name such as uutiset.kunta.fi, without https://."))
        return value

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if not logo:
            return None
        if logo.size > MAX_LOGO_BYTES:
            raise forms.ValidationError(_("The logo is too large: at most 2 MB."))
        try:
            image = Image.open(logo)
            image.verify()
        except (UnidentifiedImageError, OSError):
            raise forms.ValidationError(_("The logo must be a PNG, JPEG or WebP image."))
        if image.format not in LOGO_FORMATS:
            raise forms.ValidationError(_("The logo must be a PNG, JPEG or WebP image."))
        logo.seek(0)
        return logo

    def clean(self):
        data = super().clean()
        languages, majority = data.get("required_languages") or [], data.get("majority_language")
        if languages and majority and majority not in languages:
            self.add_error("majority_language", _("The majority language must be one of the required languages."))
        if not any(data.get(f"name_{code}") for code in LANGUAGE_NAMES):
            self.add_error("name_fi", _("Give the organisation a name in at least one language."))
        return data


def do_update_organisation(actor: Actor, organisation: Organisation, data: dict) -> Organisation:
    if not can(actor.person, organisation, Cap.MANAGE_PEOPLE):
        raise PermissionDenied
    with transaction.atomic():
        organisation.name = {code: data[f"name_{code}"] for code in LANGUAGE_NAMES if data.get(f"name_{code}")}
        majority = data["majority_language"]
        organisation.required_languages = [majority] + [c for c in data["required_languages"] if c != majority]
        organisation.majority_language = majority
        for field in ("time_zone", "brand_colour", "site_domain", "contact_email"):
            setattr(organisation, field, data[field])
        if data.get("logo"):
            organisation.logo.save(f"{organisation.slug}-{data['logo'].name}", data["logo"], save=False)
        organisation.site_version += 1
        organisation.save()
        record(actor, organisation, "organisation.updated", organisation,
               languages=organisation.required_languages, time_zone=organisation.time_zone)
    return organisation


def _initial(organisation: Organisation) -> dict:
    initial = {f"name_{code}": organisation.name.get(code, "") for code in LANGUAGE_NAMES}
    initial.update(required_languages=organisation.required_languages, majority_language=organisation.majority_language,
                   time_zone=organisation.time_zone, brand_colour=organisation.brand_colour,
                   site_domain=organisation.site_domain, contact_email=organisation.contact_email)
    return initial


@staff_view(Cap.MANAGE_PEOPLE)
def organisation_settings(request):
    organisation = request.organisation
    if request.method == "POST":
        form = OrganisationForm(request.POST, request.FILES)
        if form.is_valid():
            do_update_organisation(Actor.from_request(request), organisation, form.cleaned_data)
            messages.success(request, _("The organisation's settings were saved."))
            return redirect("organisation:settings", org=organisation.slug)
    else:
        form = OrganisationForm(initial=_initial(organisation))
    return render(request, "core/organisation_settings.html", {"form": form})


app_name = "organisation"
urlpatterns = [path("", organisation_settings, name="settings")]
