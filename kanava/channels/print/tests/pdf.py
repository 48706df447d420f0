"""Reading PDFs back in tests: text, and where and how large each piece of it is."""

import io
import math
from dataclasses import dataclass

import pypdf


@dataclass
class Run:
    text: str
    page: int
    x: float  # points from the left edge
    y: float  # points from the bottom edge
    size: float  # effective font size in points


def reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in reader(data).pages)


def runs(data: bytes) -> list[Run]:
    found: list[Run] = []
    for number, page in enumerate(reader(data).pages):
        def visit(text, cm, tm, font_dict, font_size, number=number):
            if not text.strip():
                return
            a, b, c, d = (tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3],
                          tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            size = font_size * math.sqrt(abs(a * d - b * c))
            found.append(Run(text.strip(), number, x, y, round(size, 2)))  # 15.9998 is 16 pt

        page.extract_text(visitor_text=visit)
    return found


def run_with(data: bytes, needle: str) -> Run:
    for run in runs(data):
        if needle in run.text:
            return run
    raise AssertionError(f"{needle!r} is not in the PDF")
