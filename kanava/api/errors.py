"""One error shape for the whole API, and the JSON parser that guards it.

Every error answers ``{"error": {"code", "message", "fields"}}``: ``message``
is a sentence in the request's language (Accept-Language, through Django's
LocaleMiddleware); ``fields`` maps a dotted field path (``versions.fi.title``)
to its messages and is empty when the error is not about fields.
"""

import codecs
import json

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from kanava.publishing.errors import WorkflowError

INVALID_FIELDS = _("Some fields are not valid. Correct them and try again.")

# Messages are a few pages of text at most; anything larger is a mistake or abuse.
MAX_BODY_BYTES = 1024 * 1024


class Conflict(exceptions.APIException):
    """The object is in a state that does not allow this (a message in review, say)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This cannot be done in the object's current state.")
    default_code = "invalid_state"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request is too large.")
    default_code = "too_large"


class BadJSON(exceptions.ParseError):
    default_detail = _("The request body is not valid JSON.")
    default_code = "parse_error"


class LimitedJSONParser(JSONParser):
    """JSON with a size limit, and no 500 on input that breaks ``json``.

    DRF reads the body as a stream, which bypasses Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE, so the limit is enforced here, also for a
    body that lies about its length.
    """

    max_bytes = MAX_BODY_BYTES

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        if request is not None and _declared_length(request) > self.max_bytes:
            raise PayloadTooLarge()
        raw = stream.read(self.max_bytes + 1)
        if len(raw) > self.max_bytes:
            raise PayloadTooLarge()
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            codecs.lookup(encoding)
            text = raw.decode(encoding)
            return json.loads(text, parse_constant=_refuse_constant if self.strict else None)
        except (ValueError, LookupError, RecursionError):
            raise BadJSON()


def _refuse_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        return 0


def _as_api_exception(exc) -> exceptions.APIException | None:
    if isinstance(exc, exceptions.APIException):
        return exc
    if isinstance(exc, Http404):
        # Django's text names the model; the API says only "not found".
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(*(str(a) for a in exc.args[:1]))
    if isinstance(exc, WorkflowError):
        return Conflict(str(exc) or None)
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    return None


def flatten_fields(detail, path: str = "") -> dict[str, list[str]]:
    """``{"versions": {"fi": {"title": [e]}}}`` -> ``{"versions.fi.title": [e]}``."""
    found: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            found.update(flatten_fields(value, f"{path}.{key}" if path else str(key)))
    elif isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        for index, value in enumerate(detail):
            if value:
                found.update(flatten_fields(value, f"{path}.{index}" if path else str(index)))
    elif isinstance(detail, list):
        found[path or api_settings.NON_FIELD_ERRORS_KEY] = [str(item) for item in detail]
    else:
        found[path or api_settings.NON_FIELD_ERRORS_KEY] = [str(detail)]
    return found


def _body(exc: exceptions.APIException) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_fields(exc.detail)
        general = fields.get(api_settings.NON_FIELD_ERRORS_KEY)
        message = general[0] if general else str(INVALID_FIELDS)
        return {"code": "invalid", "message": message, "fields": fields}
    detail = exc.detail
    if isinstance(detail, (list, dict)):  # an APIException raised with structured detail
        return {"code": exc.default_code, "message": str(exc.default_detail), "fields": flatten_fields(detail)}
    return {"code": getattr(detail, "code", None) or exc.default_code, "message": str(detail), "fields": {}}


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every known error as ``{"error": {...}}``.

    Returns None (a 500, logged) only for exceptions no one anticipated.
    """
    api_exc = _as_api_exception(exc)
    if api_exc is None:
        return None
    headers = {}
    if getattr(api_exc, "auth_header", None):
        headers["WWW-Authenticate"] = api_exc.auth_header
    if getattr(api_exc, "wait", None):
        headers["Retry-After"] = "%d" % api_exc.wait
    set_rollback()
    return Response({"error": _body(api_exc)}, status=api_exc.status_code, headers=headers)
