"""What the guard's findings are called, for people (translated)."""

from django.utils.translation import gettext_lazy as _

from kanava.privacy import scan

KIND_LABELS = {
    scan.FI_IDENTITY_CODE: _("Finnish personal identity code"),
    scan.SE_PERSONAL_NUMBER: _("Swedish personal identity number"),
    scan.PHONE: _("Phone number"),
    scan.EMAIL: _("Email address"),
    scan.IBAN: _("Bank account number (IBAN)"),
    scan.SENSITIVE: _("Sensitive word"),
}

CATEGORY_LABELS = {
    "health": _("health"),
    "mental_health": _("mental health"),
    "substance_abuse": _("substance abuse"),
    "social_welfare": _("social welfare"),
    "child_protection": _("child protection"),
    "disability": _("disability"),
}

FIELD_LABELS = {
    "title": _("title"),
    "summary": _("summary"),
    "body": _("text"),
    "plain_title": _("plain-language title"),
    "plain_body": _("plain-language text"),
}

# One whole sentence per kind: "what, the masked value — language, field."
PROBLEM_MESSAGES = {
    scan.FI_IDENTITY_CODE: _("Finnish personal identity code %(value)s — %(language)s, %(field)s. "
                             "Remove it or confirm that it may be published."),
    scan.SE_PERSONAL_NUMBER: _("Swedish personal identity number %(value)s — %(language)s, %(field)s. "
                               "Remove it or confirm that it may be published."),
    scan.PHONE: _("Phone number %(value)s — %(language)s, %(field)s. "
                  "Remove it or confirm that it may be published."),
    scan.EMAIL: _("Email address %(value)s — %(language)s, %(field)s. "
                  "Remove it or confirm that it may be published."),
    scan.IBAN: _("Bank account number %(value)s — %(language)s, %(field)s. "
                 "Remove it or confirm that it may be published."),
    scan.SENSITIVE: _("Sensitive word “%(value)s” (%(category)s) — %(language)s, %(field)s. "
                      "Make sure it does not tell anything about a person, then confirm."),
}
