from django.utils.translation import gettext_lazy as _

from kanava.channels.base import ChannelManifest

MANIFEST = ChannelManifest(
    kind="bluesky",
    label=_("Bluesky"),
    description=_("Posts and threads on a Bluesky account, in the organisation's name or a voice's own."),
    adapter="kanava.channels.bluesky.adapter.BlueskyAdapter",
    owned=False,
)
