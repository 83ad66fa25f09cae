"""Draw SkyFrame's app icons (the design of static/icons/skyframe.svg) as PNGs.

Run from the repository root: ``.venv/bin/python scripts/make_icons.py``. It
writes static/icons/icon-192.png, icon-512.png, maskable-512.png (the mark
inside the 80 % safe zone on a full-bleed background), apple-touch-icon.png
(180 px) and shortcut icons for Upload and Search. The PNGs are committed;
run it again only when the design changes.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"
NAVY = (11, 16, 32, 255)
BLUE = (122, 162, 255, 255)
GOLD = (255, 210, 122, 255)
WHITE = (255, 255, 255, 255)
PALE = (207, 216, 255, 255)
SUPERSAMPLE = 4


def _circle(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, **style) -> None:
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), **style)


def mark(size: int, *, scale: float = 1.0, rounded: bool = True) -> Image.Image:
    """The icon at ``size`` px; ``scale`` shrinks the mark (not the background)."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    unit = big / 64  # the SVG's 64-unit grid
    if rounded:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=14 * unit, fill=NAVY)
    else:
        draw.rectangle((0, 0, big, big), fill=NAVY)

    def at(x: float, y: float) -> tuple[float, float]:
        return big / 2 + (x - 32) * unit * scale, big / 2 + (y - 32) * unit * scale

    _circle(draw, *at(32, 32), 17 * unit * scale, outline=BLUE, width=round(3 * unit * scale))
    _circle(draw, *at(32, 32), 5 * unit * scale, fill=GOLD)
    _circle(draw, *at(48, 15), 2.2 * unit * scale, fill=WHITE)
    _circle(draw, *at(14, 46), 1.6 * unit * scale, fill=WHITE)
    _circle(draw, *at(16, 17), 1.2 * unit * scale, fill=PALE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def glyph(size: int, kind: str) -> Image.Image:
    """Shortcut icons: a plus (Upload) or a magnifier (Search) on the navy tile."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 0.22, fill=NAVY)
    stroke = round(big * 0.08)
    if kind == "upload":
        middle = big / 2
        draw.line((middle, big * 0.25, middle, big * 0.75), fill=BLUE, width=stroke)
        draw.line((big * 0.25, middle, big * 0.75, middle), fill=BLUE, width=stroke)
    else:
        _circle(draw, big * 0.44, big * 0.44, big * 0.2, outline=BLUE, width=stroke)
        draw.line((big * 0.58, big * 0.58, big * 0.76, big * 0.76), fill=BLUE, width=stroke)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    outputs = {
        "icon-192.png": mark(192),
        "icon-512.png": mark(512),
        # Maskable: launchers crop to a circle or squircle of 80 %: full-bleed
        # background, the mark shrunk inside the safe zone.
        "maskable-512.png": mark(512, scale=0.72, rounded=False),
        # iOS rounds the corners itself and shows transparency as black.
        "apple-touch-icon.png": mark(180, rounded=False).convert("RGB"),
        "shortcut-upload.png": glyph(96, "upload"),
        "shortcut-search.png": glyph(96, "search"),
    }
    for name, image in outputs.items():
        image.save(ICONS / name, optimize=True)
        print(f"wrote static/icons/{name} ({image.width}×{image.height})")


if __name__ == "__main__":
    main()
