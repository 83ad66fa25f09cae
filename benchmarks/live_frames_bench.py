"""A live frame from upload to stored renditions: is it fast enough for a
frame every 5 s?

Generates (never downloads) frames the size live-stacking software writes —
a 2 MP and a 6 MP JPEG (ASIAIR, SharpCap live stacks), a 24 MP JPEG (a DSLR
snapshot), a 6 MP 16-bit FITS (N.I.N.A., Ekos) — and runs each through what
POST /api/v1/live/<id>/frames runs (skyframe.live.frames' rendering: the
bytes recognised, the header checked, one decode, original + display 1600 +
thumb 320, WebP and JPEG, written to local storage), in this process.

    .venv/bin/python benchmarks/live_frames_bench.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from skyframe.live import frames  # noqa: E402
from skyframe.media.pipeline import MediaSettings  # noqa: E402
from skyframe.storage import LocalStorage  # noqa: E402
from tests import media_samples as samples  # noqa: E402

SIZES = [
    ("2 MP JPEG", "jpeg", 1936, 1096),
    ("6 MP JPEG", "jpeg", 3008, 2008),
    ("24 MP JPEG", "jpeg", 6000, 4000),
    ("6 MP 16-bit FITS", "fits", 3008, 2008),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="skyframe-live-bench-") as folder:
        base = Path(folder)
        storage = LocalStorage(base / "store")
        settings = MediaSettings()
        print(f"{'frame':<18} {'median s':>9} {'max s':>7}   (runs: {args.runs})")
        for label, kind, width, height in SIZES:
            if kind == "fits":
                path = samples.fits_file(base / f"{width}.fits", width, height)
            else:
                path = samples.write_image(base / f"{width}.jpg", width, height)
            times = []
            for run in range(args.runs):
                started = time.perf_counter()
                processed = frames._render(
                    storage, f"bench{width}{run}", path, path.name, None, settings
                )
                times.append(time.perf_counter() - started)
                for stored in processed.stored:
                    storage.delete(stored.key)
            print(f"{label:<18} {statistics.median(times):>9.2f} {max(times):>7.2f}")


if __name__ == "__main__":
    main()
