from django.utils.translation import gettext_lazy as _

from kanava.channels.base import ChannelManifest

MANIFEST = ChannelManifest(
    kind="mastodon",
    label=_("Mastodon"),
    description=_("Posts on the organisation's Mastodon account, or on a voice's own, on any Mastodon server."),
    adapter="kanava.channels.mastodon.adapter.MastodonAdapter",
    owned=False,
)
