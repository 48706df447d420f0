"""A crisis card: the message's titles in both languages as a square image, for platforms that post only
images (Instagram).  Crisis messages are text; without a card such a platform would refuse the message
and, with it, the whole crisis step.

The card is 1080 x 1080 PNG: a dark red band saying what it is (crisis bulletin, or exercise), the title
in each language of the message, and the address of the crisis page.  White on #8f001a (contrast 7.9:1).
Its alternative text per language is the title and the text, so nothing is only in the picture.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from functools import lru_cache

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

SIZE = 1080
MARGIN = 72
RED, WHITE, INK = "#8f001a", "#ffffff", "#111111"
BAND = {False: "KRIISITIEDOTE · KRISMEDDELANDE", True: "HARJOITUS · ÖVNING · EXERCISE"}


@lru_cache(maxsize=8)
def _font_path(bold: bool) -> str | None:
    if shutil.which("fc-match") is None:
        return None
    pattern = "DejaVu Sans:bold" if bold else "DejaVu Sans"
    found = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True)
    return found.stdout.strip() or None


def _font(size: int, bold: bool = False):
    path = _font_path(bold)
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def _fitted(draw, texts: list[str], height: int, width: int):
    """The largest title size (from 72 px down) at which every language's title fits."""
    for size in range(72, 27, -4):
        font = _font(size, bold=True)
        blocks = [_wrap(draw, text, font, width) for text in texts]
        needed = sum(len(lines) * int(size * 1.25) for lines in blocks) + (len(blocks) - 1) * size
        if needed <= height:
            return font, size, blocks
    font = _font(28, bold=True)
    return font, 28, [_wrap(draw, text, font, width)[:4] for text in texts]


def render(titles: dict[str, str], address: str, exercise: bool = False) -> bytes:
    """The card as PNG bytes; ``titles`` per language code, in the order to show them."""
    image = Image.new("RGB", (SIZE, SIZE), WHITE)
    draw = ImageDraw.Draw(image)
    band = 180
    draw.rectangle((0, 0, SIZE, band), fill=RED)
    label = _font(40, bold=True)
    draw.text((MARGIN, band // 2), BAND[exercise], font=label, fill=WHITE, anchor="lm")
    footer = 150
    draw.rectangle((0, SIZE - footer, SIZE, SIZE), fill=INK)
    small = _font(36 if len(address) <= 44 else 28)
    draw.text((MARGIN, SIZE - footer // 2), address, font=small, fill=WHITE, anchor="lm")
    texts = [text for text in titles.values() if text]
    font, size, blocks = _fitted(draw, texts, SIZE - band - footer - 2 * MARGIN, SIZE - 2 * MARGIN)
    y = band + MARGIN
    for number, lines in enumerate(blocks):
        if number:
            draw.line((MARGIN, y + size // 2 - 8, SIZE - MARGIN, y + size // 2 - 8), fill=RED, width=4)
            y += size
        for line in lines:
            draw.text((MARGIN, y), line, font=font, fill=INK)
            y += int(size * 1.25)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def upload_for(event, address: str, exercise: bool) -> tuple[SimpleUploadedFile, dict[str, str]]:
    """The card of a public incident event as an upload, with its alternative text per language."""
    titles = {code: title for code, title in event.title.items() if title}
    alt = {code: f"{title}. {event.body.get(code, '')}".strip()[:1000] for code, title in titles.items()}
    content = render(titles, address, exercise)
    return SimpleUploadedFile("crisis-card.png", content, content_type="image/png"), alt
