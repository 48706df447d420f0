"""Colour helpers for municipality themes (no Django imports).

A municipality may choose its own brand colour. Kanava uses it for the header
band (white text on the colour), for buttons and for links on a white page, so
the colour must reach WCAG 2.1 AA contrast (4.5:1) against white.
`accessible_brand` darkens a colour that is too light, keeping its hue.
"""

from __future__ import annotations

import re

WHITE = "#ffffff"
AA_NORMAL_TEXT = 4.5
DEFAULT_BRAND = "#0072c6"  # Helsinki Design System "coat of arms" blue

_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def parse_hex(colour: str) -> tuple[int, int, int]:
    """'#0072c6', '0072c6' or '#07c' -> (r, g, b); ValueError otherwise."""
    match = _HEX.match(colour.strip()) if isinstance(colour, str) else None
    if not match:
        raise ValueError(f"not a hex colour: {colour!r}")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def to_hex(rgb: tuple[int, int, int]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def normalise_hex(colour: str) -> str:
    """Any accepted hex form -> lowercase '#rrggbb'."""
    return to_hex(parse_hex(colour))


def _channel(value: int) -> float:
    c = value / 255
    # sRGB linearisation (WCAG 2.x; 0.04045 is the sRGB standard's threshold,
    # WCAG's 0.03928 gives the same result for every 8-bit value).
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    r, g, b = (_channel(v) for v in parse_hex(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(hex1: str, hex2: str) -> float:
    """WCAG contrast ratio between two colours, from 1.0 to 21.0."""
    l1, l2 = relative_luminance(hex1), relative_luminance(hex2)
    lighter, darker = max(l1, l2), min(l1, l2)
    return (lighter + 0.05) / (darker + 0.05)


def _scaled(rgb: tuple[int, int, int], factor: float) -> str:
    return to_hex(tuple(c * factor for c in rgb))  # type: ignore[arg-type]


def accessible_brand(
    colour: str, background: str = WHITE, minimum: float = AA_NORMAL_TEXT
) -> str:
    """Return `colour` as '#rrggbb', darkened (towards black, same hue) just
    enough to reach `minimum` contrast against `background` (white).

    A colour that already passes is returned unchanged (normalised).
    """
    rgb = parse_hex(colour)
    original = to_hex(rgb)
    if contrast_ratio(original, background) >= minimum:
        return original
    # Luminance grows with the factor, so bisect for the lightest passing shade.
    low, high = 0.0, 1.0  # low always passes (black), high fails
    for _ in range(30):
        mid = (low + high) / 2
        if contrast_ratio(_scaled(rgb, mid), background) >= minimum:
            low = mid
        else:
            high = mid
    result = _scaled(rgb, low)
    while contrast_ratio(result, background) < minimum:  # guard rounding
        low = max(0.0, low - 0.005)
        result = _scaled(rgb, low)
    return result


def text_colour_on(background: str) -> str:
    """Black or white, whichever contrasts more with `background`."""
    return (
        "#000000"
        if contrast_ratio(background, "#000000") >= contrast_ratio(background, WHITE)
        else WHITE
    )
