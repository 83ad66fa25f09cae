"""Demo images: a few synthetic star fields, processed once by the real media
pipeline and shared by every demo post."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from skyframe.media.pipeline import MediaSettings, process_upload
from skyframe.storage import Storage


@dataclass(frozen=True)
class DemoImage:
    width: int
    height: int
    blurhash: str | None
    color: str | None
    renditions: list[tuple[str, str, str, int, int, int]]  # kind, type, ext, w, h, bytes


class DemoImages:
    """A few generated sky images, rendered once by the real pipeline; each
    post gets its own keys (linked, not copied, on local disk)."""

    COUNT = 8

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.folder = tempfile.TemporaryDirectory(prefix="skyframe-demo-")
        self.sources: list[tuple[DemoImage, dict[tuple[str, str], str]]] = []
        settings = MediaSettings(display_edge=1080)
        for number in range(self.COUNT):
            path = Path(self.folder.name) / f"sky{number}.jpg"
            _render_sky(path, number)
            processed = process_upload(
                storage, f"demo-source/{number}", path, path.name, "image/jpeg", settings
            )
            keys = {}
            renditions = []
            for s in processed.stored:
                extension = s.key.rsplit(".", 1)[-1]
                keys[(s.kind, extension)] = s.key
                renditions.append((s.kind, s.content_type, extension, s.width, s.height, s.size))
            placeholder = processed.placeholder
            self.sources.append(
                (
                    DemoImage(
                        processed.width,
                        processed.height,
                        placeholder.blurhash if placeholder else None,
                        placeholder.color if placeholder else None,
                        renditions,
                    ),
                    keys,
                )
            )
        self.turn = -1

    @staticmethod
    def plain() -> DemoImage:
        """Rendition rows without files (benchmarks: the rows cost what real ones do)."""
        return DemoImage(
            1080,
            1350,
            "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
            "#1b2333",
            [
                ("original", "image/jpeg", "jpg", 4000, 5000, 2_500_000),
                ("display", "image/webp", "webp", 1080, 1350, 180_000),
                ("display", "image/jpeg", "jpg", 1080, 1350, 260_000),
                ("thumb", "image/webp", "webp", 480, 600, 30_000),
                ("thumb", "image/jpeg", "jpg", 480, 600, 45_000),
            ],
        )

    def next_image(self) -> DemoImage:
        self.turn = (self.turn + 1) % self.COUNT
        return self.sources[self.turn][0]

    def store(self, key: str, kind: str, extension: str) -> None:
        source = self.sources[self.turn][1][(kind, extension)]
        with self.storage.local_copy(source) as path:
            self.storage.save_file(key, path, "application/octet-stream")

    def close(self) -> None:
        for _, keys in self.sources:
            for key in keys.values():
                self.storage.delete(key)
        self.folder.cleanup()


def _render_sky(path: Path, number: int) -> None:
    """A star field with a soft nebula, different for each ``number``."""
    import pyvips

    rng = np.random.default_rng(1000 + number)
    height, width = 1350, 1080
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    cx, cy = rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.7) * height
    glow = np.exp(-(((x - cx) / (width * 0.25)) ** 2 + ((y - cy) / (height * 0.2)) ** 2))
    hue = rng.uniform(0.2, 1.0, size=3)
    image = np.empty((height, width, 3), dtype=np.float32)
    for channel in range(3):
        image[..., channel] = 12 + 150 * glow * hue[channel]
    stars = rng.integers(0, height * width, size=2500)
    image.reshape(-1, 3)[stars] = 255
    pyvips.Image.new_from_array(np.clip(image, 0, 255).astype(np.uint8)).jpegsave(str(path), Q=90)
