"""The rating histogram image."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from services.errors import InvalidInput
from services.reviews.chart import HEIGHT, WIDTH, rating_histogram_png

COUNTS = (0, 1, 0, 2, 3, 5, 9, 14, 8, 6)


def test_a_valid_png_of_sensible_size() -> None:
    png = rating_histogram_png(COUNTS, title="Never Let Me Go (2010)")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert 2_000 < len(png) < 200_000
    with Image.open(io.BytesIO(png)) as image:
        image.verify()
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (WIDTH, HEIGHT)


def test_the_image_follows_the_data() -> None:
    first = rating_histogram_png(COUNTS, title="A")
    assert rating_histogram_png(COUNTS, title="A") == first
    assert rating_histogram_png((*COUNTS[:-1], 30), title="A") != first
    assert rating_histogram_png(COUNTS, title="B") != first
    empty = rating_histogram_png((0,) * 10, title="No ratings yet " * 10)  # long titles are cut, no error
    assert empty != first


@pytest.mark.parametrize("counts", [(1, 2, 3), (0,) * 9 + (-1,)])
def test_refuses_counts_that_are_not_ten_half_stars(counts: tuple[int, ...]) -> None:
    with pytest.raises(InvalidInput):
        rating_histogram_png(counts, title="x")
