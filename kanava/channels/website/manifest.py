from django.utils.translation import gettext_lazy as _

from kanava.channels.base import ChannelManifest

MANIFEST = ChannelManifest(
    kind="website",
    label=_("Website"),
    description=_("News pages, RSS and Atom feeds and an embeddable list on the resident site."),
    adapter="kanava.channels.website.adapter.WebsiteAdapter",
)
