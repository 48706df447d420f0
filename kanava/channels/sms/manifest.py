from django.utils.translation import gettext_lazy as _

from kanava.channels.base import ChannelManifest

MANIFEST = ChannelManifest(
    kind="sms",
    label=_("SMS"),
    description=_("Text messages to subscribers' phones through an HTTP SMS gateway."),
    adapter="kanava.channels.sms.adapter.SmsAdapter",
)
