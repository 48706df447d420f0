"""The hearing's public API, under ``/api/v1/participation/processes/<process>/hearing/`` (like Kerrokantasi's).

- ``GET sections/``: the sections with their stored comment counts.
- ``GET sections/<id>/comments/?limit=&offset=&ordering=``: visible comments (not replies), newest first
  or ``ordering=supported``; ``limit`` up to 100.  Answers are cached per ``Process.version``.
- ``POST sections/<id>/comments/``: a comment, only where commenting needs no identification
  (``Level.NONE``), while the input phase runs, rate-limited per address like the web form.
  Where the process asks for identification the answer is 403: comment on the web page instead.
  No session or cookie is used, so no CSRF token is needed; the body must be JSON (a form on another
  site cannot send JSON without a CORS preflight, which is refused).
"""

from __future__ import annotations

import json

from django.core.cache import cache
from django.http import Http404
from django.urls import path
from django.utils.translation import get_language, gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from kanava.api.errors import LimitedJSONParser
from kanava.core.audit import Actor
from kanava.participation import identity
from kanava.participation.manifest import Level
from kanava.participation.models import Process
from kanava.participation.kinds.hearing import actions, queries
from kanava.participation.kinds.hearing.forms import CommentForm
from kanava.participation.kinds.hearing.models import Section

MAX_LIMIT = 100
DEFAULT_LIMIT = 50
CACHE_TTL = 60  # the version keys the answers; the minute only frees memory


class SectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.DictField(child=serializers.CharField(), help_text="Per language: {\"fi\": ..., \"sv\": ...}")
    abstract = serializers.DictField(child=serializers.CharField())
    map_input = serializers.ChoiceField(choices=["none", "point", "area"])
    places = serializers.ListField(child=serializers.DictField())
    comment_count = serializers.IntegerField(help_text="Visible comments and replies.")
    thread_count = serializers.IntegerField(help_text="Visible comments that are not replies.")


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    section = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    author_name = serializers.CharField(help_text="Empty for an anonymous comment.")
    content = serializers.CharField()
    language = serializers.CharField()
    source = serializers.ChoiceField(choices=["online", "paper", "phone", "event", "email"])
    place = serializers.CharField()
    address = serializers.CharField()
    geometry = serializers.JSONField(allow_null=True, help_text="GeoJSON Point or Polygon, or null.")
    n_votes = serializers.IntegerField(help_text="Supports.")
    n_replies = serializers.IntegerField()
    answer = serializers.CharField(help_text="The organisation's answer, empty if none.")


class CommentPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()
    results = CommentSerializer(many=True)


class NewCommentSerializer(serializers.Serializer):
    content = serializers.CharField(help_text="Plain text, at most 5,000 characters unless the process says otherwise.")
    author_name = serializers.CharField(required=False, allow_blank=True, max_length=80)
    place = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    geometry = serializers.JSONField(required=False, allow_null=True)


def _process(pk: int) -> Process:
    process = (Process.objects.select_related("organisation")
               .filter(pk=pk, kind="hearing", state__in=[Process.State.PUBLISHED, Process.State.ARCHIVED]).first())
    if process is None:
        raise Http404
    return process


def _version(pk: int) -> int:
    """The published hearing's version (the cache key of its answers), or 404; one small query."""
    version = (Process.objects.filter(pk=pk, kind="hearing", state__in=[Process.State.PUBLISHED,
                                                                        Process.State.ARCHIVED])
               .values_list("version", flat=True).first())
    if version is None:
        raise Http404
    return version


def _int(value, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(value)))
    except (TypeError, ValueError):
        return default


def _comment_row(row: dict) -> dict:
    return {"id": row["id"], "section": row["section_id"], "created_at": row["created_at"].isoformat(),
            "author_name": row["display_name"], "content": row["text"], "language": row["language"],
            "source": row["source"], "place": row["place"], "address": row["address"], "geometry": row["geometry"],
            "n_votes": row["support_count"], "n_replies": row["reply_count"], "answer": row["answer"]}


class SectionList(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(operation_id="hearing_sections", tags=["participation: hearing"],
                   responses=SectionSerializer(many=True), summary="The sections of a hearing")
    def get(self, request, process: int):
        key = f"kanava:hearing-api:sections:{process}:{_version(process)}"
        data = cache.get(key)
        if data is None:
            data = list(Section.objects.filter(process_id=process).values(
                "id", "title", "abstract", "map_input", "places", "comment_count", "thread_count"))
            cache.set(key, data, CACHE_TTL)
        return Response(data)


class CommentList(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    # JSON only: a page on another site cannot send JSON here without a CORS preflight, which is refused.
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        operation_id="hearing_section_comments", tags=["participation: hearing"], responses=CommentPageSerializer,
        summary="Comments on a section",
        parameters=[OpenApiParameter("limit", int, description=f"At most {MAX_LIMIT}; {DEFAULT_LIMIT} if not given."),
                    OpenApiParameter("offset", int),
                    OpenApiParameter("ordering", str, enum=["newest", "supported"])])
    def get(self, request, process: int, section: int):
        version = _version(process)
        limit = _int(request.GET.get("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT)
        offset = _int(request.GET.get("offset"), 0, 0, 10_000_000)
        order = queries.order_of(request.GET.get("ordering", "newest"))
        key = f"kanava:hearing-api:comments:{process}:{version}:{section}:{limit}:{offset}:{order}"
        data = cache.get(key)
        if data is None:
            item = Section.objects.filter(process_id=process, pk=section).first()
            if item is None:
                raise Http404
            data = {"count": item.thread_count, "limit": limit, "offset": offset,
                    "results": [_comment_row(r) for r in queries.api_comments(item, order, limit, offset)]}
            cache.set(key, data, CACHE_TTL)
        return Response(data)

    @extend_schema(
        operation_id="hearing_section_comment_create", tags=["participation: hearing"], request=NewCommentSerializer,
        responses={201: CommentSerializer, 400: None, 403: None, 429: None},
        summary="Comment on a section (only where no identification is needed)",
        description="Allowed only while the hearing takes comments and only where commenting needs no "
                    "identification; otherwise 403 (comment on the web page, which identifies people). "
                    "Rate-limited per address (429). The same text from the same address within a minute is "
                    "one comment: the answer is then 200 with the comment already stored.")
    def post(self, request, process: int, section: int):
        found = queries.with_phases(_process(process))
        item = queries.section_of(found, section)
        if not found.is_open_for("comment"):
            raise exceptions.PermissionDenied(_("This hearing does not take comments now."))
        if found.level_for("comment") != Level.NONE:
            raise exceptions.PermissionDenied(_("Commenting on this hearing needs identification. Comment on the "
                                                "hearing's web page instead."))
        if not identity.allow_anonymous(request, found, "comment"):
            raise exceptions.Throttled(detail=_("Too many comments from your address. Please try again in a few "
                                                "minutes."))
        payload = NewCommentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        geometry = data.get("geometry")
        form = CommentForm({"text": data["content"], "display_name": data.get("author_name", ""),
                            "place": data.get("place", ""), "address": data.get("address", ""),
                            "geometry": "" if geometry is None else json.dumps(geometry)},
                           section=item, language=(get_language() or "fi")[:2])
        if not form.is_valid():
            raise exceptions.ValidationError({"content" if name == "text" else
                                              "author_name" if name == "display_name" else name: errors
                                              for name, errors in form.errors.items()})
        address = getattr(request, "client_ip", None) or request.META.get("REMOTE_ADDR", "")
        comment, created = actions.do_add_comment(
            Actor(person=None, ip_address=address or None, label="resident (API)"), item,
            text=form.cleaned_data["text"], display_name=form.cleaned_data["display_name"],
            language=(get_language() or "fi")[:2], sender=f"address:{address}", **form.location())
        row = {"id": comment.pk, "section_id": item.pk, "created_at": comment.created_at,
               "display_name": comment.display_name, "text": comment.text, "language": comment.language,
               "source": comment.source, "place": comment.place, "address": comment.address,
               "geometry": comment.geometry, "support_count": comment.support_count,
               "reply_count": comment.reply_count, "answer": comment.answer}
        return Response(_comment_row(row), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


urlpatterns = [
    path("sections/", SectionList.as_view(), name="sections"),
    path("sections/<int:section>/comments/", CommentList.as_view(), name="comments"),
]
