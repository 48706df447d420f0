"""A channel's settings form, built from the adapter's typed Config."""

import dataclasses
import types
import typing

from django import forms
from django.utils.translation import gettext_lazy as _

from kanava.channels.base import Config


# Labels for setting names that channel packages share; a Config field may
# instead carry its own: field(metadata={"label": ..., "help": ...}).
LABELS = {
    "from_name": _("Sender name"),
    "from_address": _("Sender address"),
    "from_email": _("Sender address"),
    "reply_to": _("Reply-to address"),
    "list_id": _("List identifier (List-Id)"),
    "smtp_host": _("SMTP server"),
    "host": _("SMTP server"),
    "smtp_port": _("SMTP port"),
    "port": _("SMTP port"),
    "smtp_user": _("SMTP user name"),
    "user": _("SMTP user name"),
    "smtp_tls": _("Use STARTTLS"),
    "use_tls": _("Use STARTTLS"),
    "smtp_ssl": _("Use TLS from the start (SMTPS)"),
    "use_ssl": _("Use TLS from the start (SMTPS)"),
    "smtp_timeout": _("Time limit in seconds"),
    "timeout": _("Time limit in seconds"),
    "bounce_domain": _("Domain for bounce addresses (VERP)"),
    "large_print": _("Also make a large-print edition"),
    "max_pages": _("Warn when the bulletin is longer than this many pages"),
}


def _field_for(field: dataclasses.Field) -> forms.Field:
    kind = field.type if not isinstance(field.type, str) else {"int": int, "bool": bool, "float": float}.get(
        field.type.split("|")[0].strip(), str)
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        kind = next(a for a in typing.get_args(kind) if a is not type(None))
    label = field.metadata.get("label") or LABELS.get(field.name) or field.name.replace("_", " ").capitalize()
    help_text = field.metadata.get("help", "")
    default = None if field.default is dataclasses.MISSING else field.default
    if kind is bool:
        return forms.BooleanField(label=label, required=False, initial=default, help_text=help_text)
    if kind is int:
        return forms.IntegerField(label=label, required=False, initial=default, help_text=help_text)
    if kind is float:
        return forms.FloatField(label=label, required=False, initial=default, help_text=help_text)
    return forms.CharField(label=label, required=False, initial=default, help_text=help_text, max_length=500)


class ChannelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    enabled = forms.BooleanField(label=_("In use"), required=False, initial=True)
    selected_by_default = forms.BooleanField(label=_("Selected for new messages"), required=False, initial=True)

    def __init__(self, *args, config_class: type[Config], secret_fields: dict, stored_secrets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.config_names = []
        for field in dataclasses.fields(config_class):  # type: ignore[arg-type]
            self.fields[f"config_{field.name}"] = _field_for(field)
            self.config_names.append(field.name)
        self.secret_names = list(secret_fields)
        for name, label in secret_fields.items():
            help_text = _("Stored. Leave empty to keep it.") if name in stored_secrets else ""
            self.fields[f"secret_{name}"] = forms.CharField(
                label=label, required=False, widget=forms.PasswordInput(render_value=False), help_text=help_text)

    def config(self) -> dict:
        values = {}
        for name in self.config_names:
            value = self.cleaned_data.get(f"config_{name}")
            if value not in (None, ""):
                values[name] = value
        return values

    def secrets(self) -> dict:
        return {name: self.cleaned_data.get(f"secret_{name}", "") for name in self.secret_names}
