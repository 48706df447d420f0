from django.utils.translation import gettext_lazy as _

from kanava.channels.base import ChannelManifest

MANIFEST = ChannelManifest(
    kind="email",
    label=_("Email newsletter"),
    description=_("A newsletter to subscribers by language and topic, with double opt-in and one-click "
                  "unsubscribe."),
    adapter="kanava.channels.email.adapter.EmailAdapter",
    icon="envelope",
)
