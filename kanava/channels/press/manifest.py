from django.utils.translation import gettext_lazy as _

from kanava.channels.base import ChannelManifest

MANIFEST = ChannelManifest(
    kind="press",
    label=_("Press release"),
    description=_("The message emailed to newsrooms in their language, with the text inline "
                  "and the PDF and images attached."),
    adapter="kanava.channels.press.adapter.PressAdapter",
    icon="megaphone",
)
