"""Forms of the staff sign-in, people and audit log pages."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from kanava.core.action_labels import ACTION_GROUPS
from kanava.core.models import Person
from kanava.core.roles import Role


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=32,
        help_text=_("The six-digit code from your authenticator app, or one of your backup codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autocapitalize": "off", "spellcheck": "false"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class SetupCodeForm(CodeForm):
    code = forms.CharField(
        label=_("Code from the app"), max_length=16,
        help_text=_("Enter the six-digit code your authenticator app shows after adding Kanava."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, widget=forms.RadioSelect)


class VoiceTitleForm(forms.Form):
    title_fi = forms.CharField(label=_("Public title in Finnish"), max_length=120, required=False)
    title_sv = forms.CharField(label=_("Public title in Swedish"), max_length=120, required=False)
    title_en = forms.CharField(label=_("Public title in English"), max_length=120, required=False)

    def titles(self) -> dict[str, str]:
        return {code: self.cleaned_data[f"title_{code}"] for code in ("fi", "sv", "en")}


class PasswordPairForm(forms.Form):
    """A new password typed twice, checked with Django's password validators.

    ``person`` (possibly unsaved) lets the similarity validator compare the
    password with the person's name and address.
    """

    password1 = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters. Not a common password, not only digits and not close to your name."),
    )
    password2 = forms.CharField(label=_("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, person: Person, **kwargs):
        self.person = person
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are different."))
        elif first:
            self._apply_person_fields(cleaned)
            try:
                password_validation.validate_password(first, self.person)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def _apply_person_fields(self, cleaned):
        """Hook for forms that also collect details of the person."""


class NewPersonForm(PasswordPairForm):
    name = forms.CharField(label=_("Your name"), max_length=200,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    field_order = ["name", "password1", "password2"]

    def _apply_person_fields(self, cleaned):
        self.person.display_name = cleaned.get("name", "")


class ExistingPersonForm(forms.Form):
    password = forms.CharField(label=_("Your password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


def _date_input():
    # A date picker needs ISO dates whatever the page's language formats.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    """Filters of the audit log.  Dates are whole days in the organisation's time zone."""

    action = forms.ChoiceField(label=_("Action"), required=False,
                               choices=[("", _("All actions")), *ACTION_GROUPS])
    person = forms.ModelChoiceField(label=_("Person"), required=False, queryset=Person.objects.none(),
                                    empty_label=_("Everyone"))
    since = forms.DateField(label=_("From date"), required=False, widget=_date_input(),
                            help_text=_("For example 2025-03-31."))
    until = forms.DateField(label=_("To date"), required=False, widget=_date_input(),
                            help_text=_("The whole day is included."))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["person"].queryset = (
            Person.objects.filter(memberships__organisation=organisation).distinct().order_by("display_name", "email")
        )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned

    def filter(self, events):
        """Narrow ``events`` (already the organisation's own) by the valid filters."""
        if not self.is_valid():
            return events
        data, zone = self.cleaned_data, self.organisation.tz
        if data.get("action"):
            events = events.filter(action__startswith=data["action"])
        if data.get("person"):
            events = events.filter(actor=data["person"])
        if data.get("since"):
            events = events.filter(created_at__gte=datetime.combine(data["since"], time.min, tzinfo=zone))
        if data.get("until"):
            end = datetime.combine(data["until"] + timedelta(days=1), time.min, tzinfo=zone)
            events = events.filter(created_at__lt=end)
        return events
