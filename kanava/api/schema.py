"""OpenAPI pieces: the token security scheme and the error envelope."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorBody",
            fields={
                "code": serializers.CharField(help_text=_("Stable machine-readable code, e.g. invalid, not_found.")),
                "message": serializers.CharField(help_text=_("A sentence in the language of Accept-Language.")),
                "fields": serializers.DictField(
                    child=serializers.ListField(child=serializers.CharField()),
                    help_text=_("Messages per field path, e.g. versions.fi.title; empty when not about fields."),
                ),
            },
        )
    },
)

DESCRIPTIONS = {
    400: _("The input is not valid; see error.fields."),
    401: _("The token is missing, wrong or revoked."),
    403: _("The token's person lacks the right to do this."),
    404: _("No such object in the token's organisation."),
    409: _("Not allowed in the object's current state."),
    413: _("The request is too large."),
}


def error_responses(*codes: int) -> dict:
    """Error responses for ``extend_schema(responses=...)``; 401 is always included."""
    return {code: OpenApiResponse(ErrorSerializer, description=DESCRIPTIONS[code]) for code in (401, *codes)}


ERRORS = error_responses(400, 403)
NOT_FOUND = error_responses(403, 404)


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "kanava.api.auth.OrganisationTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(_(
                "An organisation's API token, sent as “Authorization: Token kanava_<prefix>_<secret>” "
                "(“Bearer” is accepted too). An administrator creates one with "
                "“manage.py api_token create <organisation> <name> --person <email>”; the token acts "
                "as that person."
            )),
        }
