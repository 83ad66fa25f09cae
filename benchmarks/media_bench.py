"""The upload pipeline on big astro files: wall time and peak memory.

Generates (never downloads) a 24 MP JPEG and a 60 MP 16-bit RGB TIFF, then
runs the whole pipeline on each — recognise the bytes, check the header, read
the capture metadata, decode once, make the original/display/thumbnail
renditions and the placeholder, write them to local storage — in a fresh
process per run, so that every run's peak RSS is its own.

    .venv/bin/python benchmarks/media_bench.py [--runs 5] [--with-pillow]

``--with-pillow`` also times the same work done with Pillow, for comparison.
Targets (issue): 24 MP ≤ 0.5 s and ≤ 120 MB; 60 MP 16-bit ≤ 1.0 s and ≤ 250 MB.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASES = {
    "24 MP JPEG": {
        "file": "sky-24mp.jpg",
        "size": (6000, 4000),
        "fmt": "jpeg",
        "bits": 8,
        "save": {"Q": 92},
    },
    "60 MP 16-bit TIFF": {
        "file": "sky-60mp-16bit.tif",
        "size": (9504, 6336),
        "fmt": "tiff",
        "bits": 16,
        "save": {},
    },
}


def generate(directory: Path) -> None:
    from tests.media_samples import write_image

    for case in CASES.values():
        path = directory / case["file"]
        if not path.exists():
            width, height = case["size"]
            write_image(path, width, height, fmt=case["fmt"], bits=case["bits"], **case["save"])


def peak_rss_mb() -> float:
    """This process's own high-water mark (ru_maxrss would include the parent's:
    Linux carries it across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_skyframe(path: Path) -> dict:
    """One pipeline run, as the upload job does it."""
    from skyframe.media.pipeline import process_upload
    from skyframe.storage import LocalStorage

    baseline = peak_rss_mb()
    # Storage beside the input, as uploads are spooled beside the upload
    # folder in the app, so the file is linked in rather than copied.
    with tempfile.TemporaryDirectory(dir=path.parent) as out:
        storage = LocalStorage(out)
        start = time.perf_counter()
        result = process_upload(storage, "bench", path, path.name, None)
        elapsed = time.perf_counter() - start
    return {
        "seconds": elapsed,
        "peak_mb": peak_rss_mb(),
        "baseline_mb": baseline,
        "renditions": len(result.stored),
    }


def run_pillow(path: Path) -> dict:
    """The same renditions with Pillow (draft mode does not apply: the
    full-size original needs every pixel)."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None
    baseline = peak_rss_mb()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out, Image.open(path) as image:
        image = image.convert("RGB")  # 48-bit TIFF: Pillow keeps only 8 bits
        image.save(f"{out}/original.jpg", quality=92)
        display = image.copy()
        display.thumbnail((2048, 2048))
        display.save(f"{out}/display.webp", quality=80, method=2)
        display.save(f"{out}/display.jpg", quality=85)
        thumb = display.copy()
        thumb.thumbnail((480, 480))
        thumb.save(f"{out}/thumb.webp", quality=80, method=2)
        thumb.save(f"{out}/thumb.jpg", quality=85)
    return {
        "seconds": time.perf_counter() - start,
        "peak_mb": peak_rss_mb(),
        "baseline_mb": baseline,
        "renditions": 5,
    }


def child(kind: str, path: str) -> None:
    runner = run_skyframe if kind == "skyframe" else run_pillow
    print(json.dumps(runner(Path(path))))


def summarise(label: str, results: list[dict]) -> None:
    runs = ", ".join(f"{r['seconds']:.3f}" for r in results)
    seconds = statistics.median(r["seconds"] for r in results)
    peak = statistics.median(r["peak_mb"] for r in results)
    base = statistics.median(r["baseline_mb"] for r in results)
    print(
        f"  {label:<10} median {seconds:6.3f} s   peak RSS {peak:6.0f} MB "
        f"(process after imports {base:4.0f} MB, pipeline +{peak - base:4.0f} MB)   "
        f"runs: {runs}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--with-pillow", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    data_dir = Path(tempfile.gettempdir()) / "skyframe-media-bench"
    data_dir.mkdir(exist_ok=True)
    generate(data_dir)
    kinds = ["skyframe"] + (["pillow"] if args.with_pillow else [])
    for name, case in CASES.items():
        path = data_dir / case["file"]
        print(f"{name}: {path.stat().st_size / 1e6:.1f} MB file, {args.runs} runs")
        for kind in kinds:
            results = []
            for _ in range(args.runs):
                out = subprocess.run(
                    [sys.executable, __file__, "--child", kind, str(path)],
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=ROOT,
                )
                results.append(json.loads(out.stdout.strip().splitlines()[-1]))
            summarise(kind, results)


if __name__ == "__main__":
    main()
