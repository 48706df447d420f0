"""Query-string filters of the list endpoints, validated like any input.

A bad filter value is a 400 naming the parameter, never a silently empty list
or a database error.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kanava.api.serializers import MAX_ID
from kanava.audience.models import Subscriber
from kanava.core.models import LANGUAGE_CODES
from kanava.publishing.models import Delivery, Message


class MessageFilter(serializers.Serializer):
    state = serializers.ChoiceField(choices=Message.State.choices, required=False)
    topic = serializers.SlugField(max_length=50, required=False, help_text=_("Topic slug."))
    language = serializers.ChoiceField(choices=LANGUAGE_CODES, required=False,
                                       help_text=_("Only messages that have a version in this language."))

    def apply(self, queryset):
        data = self.validated_data
        if "state" in data:
            queryset = queryset.filter(state=data["state"])
        if "topic" in data:
            queryset = queryset.filter(topic__slug=data["topic"])
        if "language" in data:
            queryset = queryset.filter(versions__language=data["language"])
        return queryset


class DeliveryFilter(serializers.Serializer):
    message = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, help_text=_("Message id."))
    state = serializers.ChoiceField(choices=Delivery.State.choices, required=False)
    channel_kind = serializers.SlugField(max_length=32, required=False,
                                         help_text=_("Channel kind: website, email, sms, print, press..."))

    def apply(self, queryset):
        data = self.validated_data
        if "message" in data:
            queryset = queryset.filter(message_id=data["message"])
        if "state" in data:
            queryset = queryset.filter(state=data["state"])
        if "channel_kind" in data:
            queryset = queryset.filter(channel__kind=data["channel_kind"])
        return queryset


class SubscriberFilter(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Subscriber.Kind.choices, required=False)
    state = serializers.ChoiceField(choices=Subscriber.State.choices, required=False)
    language = serializers.ChoiceField(choices=LANGUAGE_CODES, required=False)

    def apply(self, queryset):
        return queryset.filter(**self.validated_data)


def filtered(filter_class, request, queryset):
    """Apply ``filter_class`` to ``queryset``; raises ValidationError (400) on a bad value."""
    params = {key: request.query_params.get(key) for key in filter_class().fields if key in request.query_params}
    check = filter_class(data=params)
    check.is_valid(raise_exception=True)
    return check.apply(queryset)
