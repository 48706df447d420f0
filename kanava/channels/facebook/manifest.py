from django.utils.translation import gettext_lazy as _

from kanava.channels.base import ChannelManifest

MANIFEST = ChannelManifest(
    kind="facebook",
    label=_("Facebook"),
    description=_("Posts on the organisation's Facebook Page, or on a voice's own public Page."),
    adapter="kanava.channels.facebook.adapter.FacebookAdapter",
    owned=False,
)
