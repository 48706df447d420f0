from django.utils.translation import gettext_lazy as _

from kanava.channels.base import ChannelManifest

MANIFEST = ChannelManifest(
    kind="linkedin",
    label=_("LinkedIn"),
    description=_("Posts on the organisation's LinkedIn page, or on a voice's own LinkedIn profile."),
    adapter="kanava.channels.linkedin.adapter.LinkedInAdapter",
    owned=False,
)
