"""The OpenAPI schema and a plain HTML page that points to it (no CDN, no JavaScript)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny

import kanava.api.schema  # noqa: F401  (registers the token security scheme)
from kanava.api.views import NO_APPROVAL

METHODS = ("get", "post", "put", "patch", "delete")

DESCRIPTION = _(
    "Messages, deliveries and subscribers of one organisation. Authenticate with an organisation's API token "
    "in the Authorization header: “Token kanava_<prefix>_<secret>”. Every answer holds only the token's "
    "organisation; other organisations' objects answer 404. Lists are cursor-paginated: follow “next”. "
    "Errors answer {\"error\": {\"code\", \"message\", \"fields\"}} with the message in the language of "
    "Accept-Language (fi, sv, en)."
)


class SchemaView(SpectacularJSONAPIView):
    """``/api/v1/openapi.json``: public, so that clients can be generated before a token exists."""

    authentication_classes = []
    permission_classes = [AllowAny]
    custom_settings = {"DESCRIPTION": format_lazy("{}\n\n{}", DESCRIPTION, NO_APPROVAL)}


@csrf_exempt
def not_found(request):
    """A JSON 404 for unknown API paths, with a hint when only the final slash is missing."""
    message = NotFound.default_detail
    if not request.path.endswith("/") and _resolves(request.path + "/"):
        message = _("Not found. API paths end with a slash: %(path)s") % {"path": request.path + "/"}
    body = {"error": {"code": "not_found", "message": str(message), "fields": {}}}
    return JsonResponse(body, status=404, json_dumps_params={"ensure_ascii": False})


def _resolves(path: str) -> bool:
    try:
        return resolve(path).url_name != "not_found"
    except Resolver404:
        return False


def operations(schema: dict) -> list[dict]:
    """Every operation of the schema as ``{"method", "path", "summary"}``, in path order."""
    found = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                found.append({"method": method.upper(), "path": path, "summary": item[method].get("summary", "")})
    return found


def docs_page(request):
    """``/api/v1/docs/``: what the API offers, generated from the same schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return render(request, "api/docs.html", {"operations": operations(schema), "no_approval": NO_APPROVAL})
