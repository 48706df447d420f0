"""Organisation settings: languages, time zone, brand colour, logo, site domain."""

import re
import zoneinfo
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanava.core.access import can
from kanava.core.audit import Actor, record
from kanava.core.decorators import staff_view
from kanava.core.models import LANGUAGE_NAMES, Organisation
from kanava.core.roles import Cap
from kanava.publishing.uploads import IMAGE_FORMATS, reencode_image, validate_image

LOGO_FORMATS = {name: IMAGE_FORMATS[name] for name in ("PNG", "JPEG", "WEBP")}
MAX_LOGO_BYTES = 2 * 1024 * 1024
HOST_TAKEN = gettext_lazy("Another organisation already uses this host name. Give the host name of your "
                          "organisation's own resident site.")
HOST_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def installation_host() -> str:
    """The host name of ``SITE_URL``: Kanava's own address, which no organisation may claim."""
    return (urlsplit(settings.SITE_URL).hostname or "").lower()


def site_domain_problem(organisation: Organisation, host: str) -> str | None:
    """Why ``organisation`` cannot use ``host`` for its resident site; None when it can.

    The resident site finds its organisation by host name, so a host must
    belong to one organisation only and never be the installation's own.
    """
    if not host:
        return None
    if host == installation_host():
        return _("This is the address of Kanava itself. Give the host name of your organisation's own resident site.")
    if Organisation.objects.filter(site_domain__iexact=host).exclude(pk=organisation.pk).exists():
        return str(HOST_TAKEN)
    return None


class OrganisationForm(forms.Form):
    name_fi = forms.CharField(label=gettext_lazy("Name in Finnish"), max_length=200, required=False)
    name_sv = forms.CharField(label=gettext_lazy("Name in Swedish"), max_length=200, required=False)
    name_en = forms.CharField(label=gettext_lazy("Name in English"), max_length=200, required=False)
    required_languages = forms.MultipleChoiceField(
        label=gettext_lazy("Languages the organisation must use"), widget=forms.CheckboxSelectMultiple,
        choices=[(code, name) for code, name in LANGUAGE_NAMES.items()])
    majority_language = forms.ChoiceField(label=gettext_lazy("Majority language"),
                                          choices=[(code, name) for code, name in LANGUAGE_NAMES.items()])
    time_zone = forms.CharField(label=gettext_lazy("Time zone"), max_length=64)
    brand_colour = forms.RegexField(label=gettext_lazy("Brand colour"), regex=r"^#[0-9a-fA-F]{6}$",
                                    help_text=gettext_lazy("As #rrggbb. Kanava darkens it if needed so text stays readable."),
                                    error_messages={"invalid": gettext_lazy("Give the colour as # and six hexadecimal digits, e.g. #0f5e8c.")})
    logo = forms.FileField(label=gettext_lazy("Logo"), required=False, help_text=gettext_lazy("PNG, JPEG or WebP, at most 2 MB."))
    site_domain = forms.CharField(label=gettext_lazy("Host name of the resident site"), max_length=255, required=False)
    contact_email = forms.EmailField(label=gettext_lazy("Contact email"), required=False)
    population = forms.IntegerField(
        label=gettext_lazy("Population"), required=False, min_value=0,
        help_text=gettext_lazy("Residents' initiatives need the support of two per cent of the population."))
    municipality_code = forms.RegexField(
        label=gettext_lazy("Municipality number"), regex=r"^[0-9]{3}$", required=False,
        help_text=gettext_lazy("Statistics Finland's three-digit number, e.g. 091. Strong identification tells "
                               "a resident's home municipality by it."),
        error_messages={"invalid": gettext_lazy("Give the municipality number as three digits, e.g. 091.")})

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"].strip()
        if value not in zoneinfo.available_timezones():
            raise forms.ValidationError(_("Unknown time zone. Use a name such as Europe/Helsinki."))
        return value

    def clean_site_domain(self):
        value = self.cleaned_data["site_domain"].strip().lower()
        if value and not HOST_RE.match(value):
            raise forms.ValidationError(_("Give a host name such as uutiset.kunta.fi, without https://."))
        problem = site_domain_problem(self.organisation, value)
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if not logo:
            return None
        if logo.size > MAX_LOGO_BYTES:
            raise forms.ValidationError(_("The logo is too large: at most 2 MB."))
        try:
            found = validate_image(logo)
        except ValidationError as error:
            if error.code == "too_many_pixels":
                raise
            found = None
        if found not in LOGO_FORMATS:
            raise forms.ValidationError(_("The logo must be a PNG, JPEG or WebP image."))
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
    """Save the settings form's cleaned data.

    Raises ``ValidationError`` (keyed by field) when the host name belongs to
    another organisation or to Kanava itself, or the logo is not a PNG, JPEG
    or WebP image.  The logo is stored re-encoded (no metadata, nothing
    appended) as ``<slug>.<extension of the format found>``.
    """
    if not can(actor.person, organisation, Cap.MANAGE_PEOPLE):
        raise PermissionDenied
    problem = site_domain_problem(organisation, data["site_domain"])
    if problem:
        raise ValidationError({"site_domain": problem})
    logo = _clean_logo(data["logo"]) if data.get("logo") else None
    with transaction.atomic():
        organisation.name = {code: data[f"name_{code}"] for code in LANGUAGE_NAMES if data.get(f"name_{code}")}
        majority = data["majority_language"]
        organisation.required_languages = [majority] + [c for c in data["required_languages"] if c != majority]
        organisation.majority_language = majority
        for field in ("time_zone", "brand_colour", "site_domain", "contact_email"):
            setattr(organisation, field, data[field])
        for field in ("population", "municipality_code"):
            if field in data:
                setattr(organisation, field, data[field] if data[field] is not None else None)
        if organisation.municipality_code is None:
            organisation.municipality_code = ""
        if logo is not None:
            content, extension = logo
            organisation.logo.save(f"{organisation.slug}.{extension}", ContentFile(content), save=False)
        organisation.site_version += 1
        try:
            organisation.save()
        except IntegrityError:  # another organisation took the host name a moment ago
            raise ValidationError({"site_domain": str(HOST_TAKEN)})
        record(actor, organisation, "organisation.updated", organisation,
               languages=organisation.required_languages, time_zone=organisation.time_zone)
    return organisation


def _clean_logo(upload) -> tuple[bytes, str]:
    try:
        return reencode_image(upload, LOGO_FORMATS)
    except ValidationError:
        raise ValidationError({"logo": _("The logo must be a PNG, JPEG or WebP image.")})


def _initial(organisation: Organisation) -> dict:
    initial = {f"name_{code}": organisation.name.get(code, "") for code in LANGUAGE_NAMES}
    initial.update(required_languages=organisation.required_languages, majority_language=organisation.majority_language,
                   time_zone=organisation.time_zone, brand_colour=organisation.brand_colour,
                   site_domain=organisation.site_domain, contact_email=organisation.contact_email,
                   population=organisation.population, municipality_code=organisation.municipality_code)
    return initial


@staff_view(Cap.MANAGE_PEOPLE)
def organisation_settings(request):
    organisation = request.organisation
    if request.method == "POST":
        form = OrganisationForm(request.POST, request.FILES, organisation=organisation)
        if form.is_valid():
            try:
                do_update_organisation(Actor.from_request(request), organisation, form.cleaned_data)
            except ValidationError as error:
                organisation.refresh_from_db()  # the page around the form shows what is saved
                form.add_error(None, error)
            else:
                messages.success(request, _("The organisation's settings were saved."))
                return redirect("organisation:settings", org=organisation.slug)
    else:
        form = OrganisationForm(initial=_initial(organisation), organisation=organisation)
    return render(request, "core/organisation_settings.html", {"form": form})


app_name = "organisation"
urlpatterns = [path("", organisation_settings, name="settings")]
