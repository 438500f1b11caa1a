"""A film's rating histogram as a PNG, drawn with Pillow (offline, ~2 ms; run it off the event loop all the same)."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from services.errors import InvalidInput
from services.reviews.values import MAX_RATING

WIDTH, HEIGHT = 640, 320
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 24, 24, 52, 56
BACKGROUND = (43, 45, 49)  # Discord's dark embed background
BAR = (245, 197, 24)
BAR_EMPTY = (78, 80, 88)
TEXT = (230, 230, 235)
MUTED = (160, 162, 170)
TITLE_LIMIT = 60


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _star(draw: ImageDraw.ImageDraw, centre: tuple[float, float], radius: float) -> None:
    """A five-pointed star (the bundled font has no ★)."""
    x, y = centre
    points = [
        (
            x + (radius if i % 2 == 0 else radius * 0.45) * math.sin(i * math.pi / 5),
            y - (radius if i % 2 == 0 else radius * 0.45) * math.cos(i * math.pi / 5),
        )
        for i in range(10)
    ]
    draw.polygon(points, fill=BAR)


def _centred(draw: ImageDraw.ImageDraw, text: str, x: float, y: float, size: int, fill: tuple[int, int, int]) -> None:
    draw.text((x, y), text, font=_font(size), fill=fill, anchor="ms")


def rating_histogram_png(distribution: Sequence[int], *, title: str) -> bytes:
    """A bar per half star (½ to 5 stars) with its count above it, and ``title`` on top, as PNG bytes.

    ``distribution[i]`` is the number of reviews rated ``i + 1`` half stars (as ``FilmReport.distribution``).
    """
    if len(distribution) != MAX_RATING or any(count < 0 for count in distribution):
        raise InvalidInput(f"A rating histogram needs {MAX_RATING} counts of zero or more, one per half star.")
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    total = sum(distribution)
    heading = title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1] + "…"
    draw.text((MARGIN_LEFT, 14), heading, font=_font(20), fill=TEXT)
    caption = f"{total} rating{'s' * (total != 1)}"
    draw.text((WIDTH - MARGIN_RIGHT, 16), caption, font=_font(14), fill=MUTED, anchor="ra")
    slot = (WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / MAX_RATING
    base = HEIGHT - MARGIN_BOTTOM
    tallest = max(distribution, default=0) or 1
    room = base - MARGIN_TOP - 20  # leave space for the count above the tallest bar
    for index, count in enumerate(distribution):
        left = MARGIN_LEFT + index * slot + slot * 0.15
        right = left + slot * 0.7
        height = max(2.0, room * count / tallest)
        draw.rectangle((left, base - height, right, base), fill=BAR if count else BAR_EMPTY)
        middle = (left + right) / 2
        if count:
            _centred(draw, str(count), middle, base - height - 6, 15, TEXT)
        stars = (index + 1) / 2
        _centred(draw, f"{stars:g}", middle, base + 20, 14, MUTED)
    draw.line((MARGIN_LEFT, base, WIDTH - MARGIN_RIGHT, base), fill=MUTED, width=1)
    _star(draw, (WIDTH / 2 - 30, base + 38), 7)
    draw.text((WIDTH / 2 - 18, base + 44), "stars", font=_font(14), fill=MUTED, anchor="ls")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
