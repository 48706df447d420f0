from django.utils.translation import gettext_lazy as _

from kanava.channels.base import ChannelManifest

MANIFEST = ChannelManifest(
    kind="x",
    label=_("X"),
    description=_("Posts and threads on the organisation's X account (formerly Twitter), or on a voice's own."),
    adapter="kanava.channels.x.adapter.XAdapter",
    owned=False,
)
