"""Checking uploaded images and attachments before they are stored.

Nothing the browser says about a file is trusted: the size is measured, images
are opened with Pillow and attachments are recognised by their first bytes.
The stored file's extension always comes from what was found in the content,
never from the uploaded name, so a file cannot choose how the web server will
serve it (``poc.html`` holding a PNG with a script appended is stored as
``poc.png``, re-encoded without the script).

Every function raises :class:`django.core.exceptions.ValidationError` with a
translated message, or returns what it found.
"""

import io
import os
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
# Decoding an image takes about four bytes per pixel and frame: a small file
# of one colour can still ask for gigabytes, so the pixels are counted first.
MAX_IMAGE_PIXELS = 50_000_000
# What survives re-encoding besides the pixels: nothing that can say where or
# by whom the picture was taken.
_KEPT_IMAGE_INFO = ("transparency", "duration", "loop", "background", "icc_profile")
_PILLOW_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)

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
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream that makes a compound file a Word, Excel or PowerPoint file; its
# name is stored in UTF-16 in the file's directory.
OLE_STREAMS = {"WordDocument": "doc", "Workbook": "xls", "PowerPoint Document": "ppt"}
OOXML_FOLDERS = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
ODF_TYPES = {ATTACHMENT_TYPES[ext][0]: ext for ext in ("odt", "ods", "odp")}


def _too_large(upload, limit: int, message: str) -> None:
    if upload.size > limit:
        raise ValidationError(message % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
                              code="too_large")


def _not_an_image() -> ValidationError:
    return ValidationError(_("The file is not an image. Choose a JPEG, PNG, WebP or GIF file."),
                           code="not_an_image")


def validate_image(upload) -> str:
    """Check that ``upload`` is a JPEG, PNG, WebP or GIF image within the size limits.

    Returns the Pillow format name.  The file is rewound for whoever stores it.
    """
    _too_large(upload, settings.KANAVA_MAX_IMAGE_BYTES,
               _("The image is too large (%(size)s). The largest allowed size is %(limit)s."))
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            found = image.format
            pixels = image.width * image.height * getattr(image, "n_frames", 1)
            image.verify()
    except _PILLOW_ERRORS:
        raise _not_an_image()
    finally:
        upload.seek(0)
    if found not in IMAGE_FORMATS:
        raise ValidationError(_("This image format is not allowed. Choose a JPEG, PNG, WebP or GIF file."),
                              code="format")
    if pixels > MAX_IMAGE_PIXELS:
        raise ValidationError(_("The image has too many pixels. Make it smaller, at most %(limit)s million "
                                "pixels, and try again.") % {"limit": MAX_IMAGE_PIXELS // 1_000_000},
                              code="too_many_pixels")
    return found


def reencode_image(upload, formats=IMAGE_FORMATS) -> tuple[bytes, str]:
    """The image in ``upload`` drawn again by Pillow: ``(bytes, extension)``.

    Only the pixels survive: data appended after the image, EXIF (camera, GPS
    location), XMP and comments are dropped.  The EXIF orientation is applied
    to the pixels first, so the picture still shows the right way up.  The
    extension is the one of the format found (``formats`` maps Pillow format
    names to extensions).  Raises ``ValidationError`` for anything
    :func:`validate_image` would refuse or that cannot be decoded.
    """
    found = validate_image(upload)
    if found not in formats:
        raise ValidationError(_("This image format is not allowed. Choose a JPEG, PNG, WebP or GIF file."),
                              code="format")
    output = io.BytesIO()
    try:
        with Image.open(upload) as image:
            frames = _upright_frames(image)
            _save(frames, found, output)
    except _PILLOW_ERRORS:
        raise _not_an_image()
    finally:
        upload.seek(0)
    return output.getvalue(), formats[found]


def _upright_frames(image: Image.Image) -> list[Image.Image]:
    """Every frame, decoded, turned as its EXIF says, carrying only harmless info."""
    kept = {key: image.info[key] for key in _KEPT_IMAGE_INFO if key in image.info}
    frames = []
    for frame in ImageSequence.Iterator(image):
        upright = ImageOps.exif_transpose(frame.copy())
        upright.info = {**kept, **{k: frame.info[k] for k in ("duration", "transparency") if k in frame.info}}
        frames.append(upright)
    return frames


def _save(frames: list[Image.Image], image_format: str, output) -> None:
    first = frames[0]
    options: dict = {key: first.info[key] for key in ("icc_profile",) if key in first.info}
    if image_format == "JPEG":
        first = first if first.mode in ("L", "RGB", "CMYK") else first.convert("RGB")
        options.update(quality=90)
    elif image_format == "WEBP":
        frames = [f if f.mode in ("RGB", "RGBA") else f.convert("RGBA") for f in frames]
        first = frames[0]
        options.update(quality=90)
    if len(frames) > 1 and image_format in ("GIF", "WEBP"):
        options.update(save_all=True, append_images=frames[1:],
                       duration=[f.info.get("duration", 100) for f in frames], loop=first.info.get("loop", 0))
    elif image_format in ("GIF", "PNG") and "transparency" in first.info:
        options["transparency"] = first.info["transparency"]
    first.save(output, format=image_format, **options)


# -- attachments --------------------------------------------------------------

def _head(upload, size: int = 8) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _ole_type(upload) -> str | None:
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    for stream, extension in OLE_STREAMS.items():
        if stream.encode("utf-16-le") + b"\x00\x00" in content:
            return extension
    return None


def _zip_type(upload) -> str | None:
    """docx/xlsx/pptx by their main folder, odt/ods/odp by their ``mimetype`` entry; None for other zips."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    return ODF_TYPES.get(entry.read(100).decode("ascii", "replace").strip())
            if "[Content_Types].xml" in names:
                return next((ext for folder, ext in OOXML_FOLDERS.items()
                             if any(name.startswith(folder) for name in names)), None)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError, NotImplementedError):
        return None
    finally:
        upload.seek(0)
    return None


def _is_text(upload) -> bool:
    upload.seek(0)
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


def _detected_type(upload, claimed: str) -> str | None:
    """The attachment type the content shows, as an extension of ATTACHMENT_TYPES; None if none.

    Plain text is ``csv`` only when it was uploaded as such, else ``txt``.
    """
    head = _head(upload)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(OLE_MAGIC):
        return _ole_type(upload)
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(upload)
    if _is_text(upload):
        return "csv" if claimed == "csv" else "txt"
    return None


def detect_attachment(upload) -> tuple[str, str]:
    """Check an attachment's size, name and content; return ``(extension, content type)`` found in it.

    The uploaded name must have one of the allowed extensions and the content
    must be of the same kind (a PDF, an office document, text); the returned
    extension is the one of what the content is, to be used for storing it.
    """
    _too_large(upload, settings.KANAVA_MAX_ATTACHMENT_BYTES,
               _("The file is too large (%(size)s). The largest allowed size is %(limit)s."))
    claimed = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
    if claimed not in ATTACHMENT_TYPES:
        raise ValidationError(
            _("This type of file cannot be attached. Attach a PDF, an office document or a text file."),
            code="type")
    found = _detected_type(upload, claimed)
    if found is None or ATTACHMENT_TYPES[found][1] != ATTACHMENT_TYPES[claimed][1]:
        raise ValidationError(_("The file's content does not match its name. Check that it is not damaged."),
                              code="content")
    return found, ATTACHMENT_TYPES[found][0]


def validate_attachment(upload) -> str:
    """Check an attachment like :func:`detect_attachment`; return its content type."""
    return detect_attachment(upload)[1]
