"""The REST API: messages, deliveries and subscribers of the token's organisation.

Every queryset starts from the token's organisation, so another
organisation's objects answer 404 exactly like ids that do not exist.
Views validate input and call actions; they change no model themselves.
"""

from django.db.models import Q
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from kanava.api import subscribers as subscriber_ops
from kanava.api.auth import organisation_of
from kanava.api.errors import LimitedJSONParser
from kanava.api.filters import DeliveryFilter, MessageFilter, SubscriberFilter, filtered
from kanava.api.schema import ERRORS, NOT_FOUND, error_responses
from kanava.api.serializers import (
    DeliveryMetricsSerializer,
    DeliverySerializer,
    MessageSerializer,
    MessageWriteSerializer,
    SubscriberCreateSerializer,
    SubscriberSerializer,
    merge_versions,
)
from kanava.audience.models import Subscriber
from kanava.channels.models import Channel
from kanava.core.access import can
from kanava.core.audit import Actor
from kanava.core.roles import Cap
from kanava.publishing import actions as publishing
from kanava.publishing.models import Delivery, Message

# Ids that fit a 64-bit column; longer ones are simply not found.
ID_PATTERN = r"[0-9]{1,18}"

NO_APPROVAL = _(
    "Approving, scheduling and publishing are not offered through the API: they need a person "
    "who has signed in with two-factor authentication. Submit a draft for review here; "
    "a communications lead approves it in Kanava."
)


class NewestFirst(CursorPagination):
    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200


class HasCapability(permissions.BasePermission):
    """The token's person holds ``view.required_cap`` in the token's organisation."""

    def has_permission(self, request, view):
        cap = getattr(view, "required_cap", Cap.VIEW)
        return can(request.user, organisation_of(request), cap)


class OrganisationViewSet(viewsets.GenericViewSet):
    parser_classes = [LimitedJSONParser]
    permission_classes = [permissions.IsAuthenticated, HasCapability]
    pagination_class = NewestFirst
    lookup_value_regex = ID_PATTERN
    required_cap = Cap.VIEW
    query_filter = None

    @property
    def organisation(self):
        return organisation_of(self.request)

    def actor(self) -> Actor:
        return Actor.from_request(self.request)

    def context(self) -> dict:
        return {"organisation": self.organisation, "request": self.request}

    def filter_queryset(self, queryset):
        if self.action == "list" and self.query_filter:
            return filtered(self.query_filter, self.request, queryset)
        return queryset


@extend_schema_view(
    list=extend_schema(summary=_("List messages"), parameters=[MessageFilter], responses={200: MessageSerializer,
                                                                                         **ERRORS}),
    retrieve=extend_schema(summary=_("Show a message"), responses={200: MessageSerializer, **NOT_FOUND}),
)
class MessageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganisationViewSet):
    """Messages of the token's organisation: drafts are written and submitted for review here.

    Approving, scheduling and publishing are not offered through the API: they need a person who has
    signed in with two-factor authentication.
    """

    serializer_class = MessageSerializer
    query_filter = MessageFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (Message.objects.filter(organisation=self.organisation)
                .select_related("organisation", "topic", "author", "voice")
                .prefetch_related("versions", Prefetch("channels", queryset=Channel.objects.only("id"))))

    def _answer(self, message, code=status.HTTP_200_OK):
        return Response(MessageSerializer(self.get_queryset().get(pk=message.pk)).data, status=code)

    @extend_schema(summary=_("Create a draft"), description=NO_APPROVAL, request=MessageWriteSerializer,
                   responses={201: MessageSerializer, **error_responses(400, 403)})
    def create(self, request):
        form = MessageWriteSerializer(data=request.data, context=self.context())
        form.is_valid(raise_exception=True)
        data = form.validated_data
        versions = {lang: dict(fields) for lang, fields in data["versions"].items() if fields is not None}
        message = publishing.do_create_message(self.actor(), self.organisation, versions=versions,
                                               topic=data.get("topic"), channels=data.get("channels"))
        return self._answer(message, status.HTTP_201_CREATED)

    @extend_schema(summary=_("Change a draft"),
                   description=_("Only the fields sent change. Within versions, a language set to null is "
                                 "removed. A message in review goes back to draft; an approved or published "
                                 "message cannot be changed (409)."),
                   request=MessageWriteSerializer,
                   responses={200: MessageSerializer, **error_responses(400, 403, 404, 409)})
    def partial_update(self, request, pk=None):
        message = self.get_object()
        form = MessageWriteSerializer(data=request.data, partial=True, context=self.context())
        form.is_valid(raise_exception=True)
        data = form.validated_data
        versions = merge_versions(message, data["versions"]) if "versions" in data else None
        publishing.do_update_message(self.actor(), message, versions=versions,
                                     topic=data["topic"] if "topic" in data else False,
                                     channels=data.get("channels"))
        return self._answer(message)

    @extend_schema(summary=_("Submit a draft for review"), description=NO_APPROVAL, request=None,
                   responses={200: MessageSerializer, **error_responses(403, 404, 409)})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        message = self.get_object()
        publishing.do_submit_for_review(self.actor(), message)
        return self._answer(message)


@extend_schema_view(
    list=extend_schema(summary=_("List deliveries"), parameters=[DeliveryFilter],
                       responses={200: DeliverySerializer, **ERRORS}),
    retrieve=extend_schema(summary=_("Show a delivery"), responses={200: DeliverySerializer, **NOT_FOUND}),
)
class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganisationViewSet):
    """What went where: one entry per message, channel and language (and recipient batch)."""

    serializer_class = DeliverySerializer
    query_filter = DeliveryFilter

    def get_queryset(self):
        # Channel secrets are encrypted; never decrypt them just to show a name.
        found = (Delivery.objects.filter(organisation=self.organisation).select_related("channel")
                 .defer("channel__secrets", "channel__config"))
        person = self.request.user
        if not can(person, self.organisation, Cap.APPROVE):  # a voice's personal posts: theirs and approvers'
            found = found.filter(Q(channel__owner__isnull=True) | Q(channel__owner=person))
        return found

    @extend_schema(summary=_("Retry a failed delivery"),
                   description=_("Needs a token whose person may approve messages. Only a failed delivery can "
                                 "be retried (409 otherwise)."),
                   request=None, responses={200: DeliverySerializer, **error_responses(403, 404, 409)})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        delivery = publishing.do_retry_delivery(self.actor(), self.get_object())
        return Response(DeliverySerializer(self.get_queryset().get(pk=delivery.pk)).data)

    @extend_schema(summary=_("Show a post's figures over time"),
                   description=_("Each time the platform was asked for the post's figures (1 hour, 6 hours, "
                                 "1, 3 and 7 days after posting), oldest first. A figure is null when the "
                                 "platform does not offer it: Mastodon and Bluesky report no impressions. "
                                 "Empty for channels without figures."),
                   responses={200: DeliveryMetricsSerializer, **NOT_FOUND})
    @action(detail=True, methods=["get"])
    def metrics(self, request, pk=None):
        delivery = self.get_object()
        points = delivery.metric_points.defer("raw").order_by("fetched_at", "id")
        return Response(DeliveryMetricsSerializer({"delivery": delivery.pk, "points": points}).data)


@extend_schema_view(
    list=extend_schema(summary=_("List subscribers"), parameters=[SubscriberFilter],
                       responses={200: SubscriberSerializer, **ERRORS}),
    retrieve=extend_schema(summary=_("Show a subscriber"), responses={200: SubscriberSerializer, **NOT_FOUND}),
    destroy=extend_schema(summary=_("Unsubscribe"),
                          description=_("The subscriber stops receiving messages; the record stays, marked "
                                        "unsubscribed, as proof of what they agreed to and when."),
                          responses={204: OpenApiResponse(description=_("Unsubscribed.")),
                                     **error_responses(403, 404)}),
)
class SubscriberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                        OrganisationViewSet):
    """Newsletter (email) and SMS subscribers; needs the right to manage subscribers."""

    serializer_class = SubscriberSerializer
    query_filter = SubscriberFilter
    required_cap = Cap.MANAGE_SUBSCRIBERS

    def get_queryset(self):
        return Subscriber.objects.filter(organisation=self.organisation).prefetch_related("topics")

    @extend_schema(summary=_("Add a subscriber"),
                   description=_("The subscriber starts as pending: an email subscriber confirms by the link "
                                 "sent to them (double opt-in)."),
                   request=SubscriberCreateSerializer,
                   responses={201: SubscriberSerializer, **error_responses(400, 403, 409)})
    def create(self, request):
        form = SubscriberCreateSerializer(data=request.data, context=self.context())
        form.is_valid(raise_exception=True)
        subscriber = subscriber_ops.subscribe(self.actor(), self.organisation, **form.validated_data)
        return Response(SubscriberSerializer(self.get_queryset().get(pk=subscriber.pk)).data,
                        status=status.HTTP_201_CREATED)

    def perform_destroy(self, subscriber):
        subscriber_ops.unsubscribe(self.actor(), subscriber)
