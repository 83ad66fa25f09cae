"""What a card shows before its image arrives: a BlurHash and the image's
average colour."""

from __future__ import annotations

from dataclasses import dataclass

import blurhash
import pyvips

# A 32-pixel sample is plenty for 4×3 components and keeps the pure-Python
# encoder to a few milliseconds.
SAMPLE_EDGE = 32
COMPONENTS = (4, 3)


@dataclass(frozen=True)
class Placeholder:
    blurhash: str
    color: str  # "#rrggbb"


def make_placeholder(image: pyvips.Image) -> Placeholder:
    sample = image.thumbnail_image(SAMPLE_EDGE, height=SAMPLE_EDGE)
    if sample.bands == 1:
        sample = sample.bandjoin([sample, sample])
    sample = sample.extract_band(0, n=3)
    data = sample.write_to_memory()
    width, height = sample.width, sample.height
    rows = [
        [list(data[(y * width + x) * 3 : (y * width + x) * 3 + 3]) for x in range(width)]
        for y in range(height)
    ]
    x_components = COMPONENTS[0] if width >= height else COMPONENTS[1]
    y_components = COMPONENTS[1] if width >= height else COMPONENTS[0]
    code = blurhash.encode(rows, x_components, y_components)
    red, green, blue = (round(sample.extract_band(band).avg()) for band in range(3))
    return Placeholder(code, f"#{red:02x}{green:02x}{blue:02x}")
