"""Checking uploaded images and attachments before they are stored.

Nothing the browser says about a file is trusted: the size is measured, images
are opened with Pillow and attachments are recognised by their first bytes.
Every function raises :class:`django.core.exceptions.ValidationError` with a
translated message, or returns what it found.
"""

import os
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}

# extension -> (content type, how its first bytes look)
ATTACHMENT_TYPES = {
    "pdf": ("application/pdf", "pdf"),
    "doc": ("application/msword", "ole"),
    "xls": ("application/vnd.ms-excel", "ole"),
    "ppt": ("application/vnd.ms-powerpoint", "ole"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "zip"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "zip"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "zip"),
    "odt": ("application/vnd.oasis.opendocument.text", "zip"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "zip"),
    "odp": ("application/vnd.oasis.opendocument.presentation", "zip"),
    "rtf": ("application/rtf", "rtf"),
    "txt": ("text/plain", "text"),
    "csv": ("text/csv", "text"),
}


def _too_large(upload, limit: int, message: str) -> None:
    if upload.size > limit:
        raise ValidationError(message % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
                              code="too_large")


def validate_image(upload) -> str:
    """Check that ``upload`` is a JPEG, PNG, WebP or GIF image within the size limit.

    Returns the Pillow format name.  The file is rewound for whoever stores it.
    """
    _too_large(upload, settings.KANAVA_MAX_IMAGE_BYTES,
               _("The image is too large (%(size)s). The largest allowed size is %(limit)s."))
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            found = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("The file is not an image. Choose a JPEG, PNG, WebP or GIF file."),
                              code="not_an_image")
    finally:
        upload.seek(0)
    if found not in IMAGE_FORMATS:
        raise ValidationError(_("This image format is not allowed. Choose a JPEG, PNG, WebP or GIF file."),
                              code="format")
    return found


def _looks_like(upload, kind: str) -> bool:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if kind == "pdf":
        return head.startswith(b"%PDF-")
    if kind == "ole":
        return head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    if kind == "rtf":
        return head.startswith(b"{\\rtf")
    if kind == "zip":
        try:
            zipfile.ZipFile(upload).close()
            return True
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        finally:
            upload.seek(0)
    return _is_text(upload)


def _is_text(upload) -> bool:
    sample = upload.read(64 * 1024)
    upload.seek(0)
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A sample cut in the middle of a character is still text.
        return error.start >= len(sample) - 3
    return True


def validate_attachment(upload) -> str:
    """Check an attachment's size, type (by extension) and content; return its content type."""
    _too_large(upload, settings.KANAVA_MAX_ATTACHMENT_BYTES,
               _("The file is too large (%(size)s). The largest allowed size is %(limit)s."))
    extension = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(
            _("This type of file cannot be attached. Attach a PDF, an office document or a text file."),
            code="type")
    content_type, kind = ATTACHMENT_TYPES[extension]
    if not _looks_like(upload, kind):
        raise ValidationError(_("The file's content does not match its name. Check that it is not damaged."),
                              code="content")
    return content_type
