from django.utils.translation import gettext_lazy as _

from kanava.channels.base import ChannelManifest

MANIFEST = ChannelManifest(
    kind="instagram",
    label=_("Instagram"),
    description=_("Posts with one image or a carousel of up to ten on the organisation's Instagram professional "
                  "account, or on a voice's own."),
    adapter="kanava.channels.instagram.adapter.InstagramAdapter",
    owned=False,
)
