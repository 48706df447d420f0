from django.utils.translation import gettext_lazy as _

from kanava.channels.base import ChannelManifest

MANIFEST = ChannelManifest(
    kind="print",
    label=_("Printable bulletin"),
    description=_("An A4 PDF for notice boards and for posting to residents without internet, "
                  "with a large-print edition and a QR code to the online version."),
    adapter="kanava.channels.print.adapter.PrintAdapter",
    icon="document",
)
