"""The jeweler's strip under a shared photo: who made it, what the customer wears, the price.

Pillow's bundled FreeType font (ImageFont.load_default(size)) keeps this free of system fonts.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

STRIP_COLOUR = (20, 20, 20)
GOLD = (232, 199, 106)
TEXT = (244, 241, 234)


def strip_height(photo_h: int) -> int:
    return max(48, photo_h // 12)


def photo_height(total_h: int) -> int:
    """The height of the photo above the strip in a branded image `total_h` high (the share
    page crops the strip off: it shows the piece and price as text)."""
    h = total_h * 12 // 13
    while h + strip_height(h) < total_h:
        h += 1
    while h > 1 and h + strip_height(h) > total_h:
        h -= 1
    return h


def add_strip(jpeg: bytes, jeweler: str, caption: str, quality: int = 90) -> bytes:
    """The photo with a strip below it: jeweler name on the left, caption on the right."""
    photo = Image.open(io.BytesIO(jpeg)).convert("RGB")
    w, h = photo.size
    strip = draw_strip(w, h, jeweler, caption)
    out = Image.new("RGB", (w, h + strip.height), STRIP_COLOUR)
    out.paste(photo, (0, 0))
    out.paste(strip, (0, h))
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=quality, optimize=False)
    return buf.getvalue()


def draw_strip(w: int, h: int, jeweler: str, caption: str) -> Image.Image:
    """The strip alone (RGB), for a picture w × h: the photo's and each frame of the try-on clip."""
    strip_h = strip_height(h)
    out = Image.new("RGB", (w, strip_h), STRIP_COLOUR)
    draw = ImageDraw.Draw(out)
    pad = strip_h // 4
    big = ImageFont.load_default(size=int(strip_h * 0.45))
    small = ImageFont.load_default(size=int(strip_h * 0.32))
    y = strip_h // 2
    draw.text((pad, y), jeweler, font=big, fill=GOLD, anchor="lm")
    name_w = draw.textlength(jeweler, font=big)
    room = w - 3 * pad - name_w
    text = caption
    while text and draw.textlength(text, font=small) > room:
        text = text[:-2] + "…" if len(text) > 2 else ""
    draw.text((w - pad, y), text, font=small, fill=TEXT, anchor="rm")
    return out
