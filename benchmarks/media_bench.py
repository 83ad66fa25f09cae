"""The upload pipeline on big astro files and on decoder bombs: wall time and
the peak memory of the process that decodes.

Generates (never downloads) every file, then runs the whole pipeline on each
— recognise the bytes, check the header and the decoder-memory budget, read
the capture metadata, decode once, make the original/display/thumbnail
renditions and the placeholder, write them to local storage — in a fresh
process per run (tests/media_probe.py), so that every figure is that
process's own: peak RSS growth is the kernel's high-water mark (reset just
before the pipeline) minus the RSS before it.

    .venv/bin/python benchmarks/media_bench.py [--runs 3] [--quick]

Rows:
- real captures: a 24 MP JPEG, a 60 MP 16-bit TIFF, a 100 MP 16-bit TIFF;
- the security test's bombs (issue 14): a progressive 10000×10000 JPEG (4:2:0
  and 4:4:4), a 16383×6000 WebP, a GZIP_1 tile-compressed 10000×10000
  float64 FITS: each is refused from its header (422) or decoded within
  MEDIA_DECODE_BUDGET_MB (400);
- ten concurrent 100 MP uploads in one process (MEDIA_MAX_CONCURRENT=1: one
  decode at a time; the others wait);
- FITS header bombs (5,000 and 15,000 empty HDUs, a 60,000-card header, 16
  HDUs of 10,000 cards): time until the upload is answered.

``--quick`` leaves out the 100 MP rows.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGET_MB = 400


def _files(directory: Path, quick: bool) -> dict[str, tuple[Path, object]]:
    from tests import media_samples as samples

    cases = {
        "24 MP JPEG": (
            "sky-24mp.jpg",
            lambda p: samples.write_image(p, 6000, 4000, fmt="jpeg", Q=92),
        ),
        "60 MP 16-bit TIFF": (
            "sky-60mp-16bit.tif",
            lambda p: samples.write_image(p, 9504, 6336, fmt="tiff", bits=16),
        ),
    }
    if not quick:
        cases |= {
            "96 MP 16-bit TIFF (LZW)": (
                "sky-96mp-16bit.tif",
                lambda p: _pattern16(p, 12000, 8000),
            ),
            "48 MP float32 FITS (uncompressed)": (
                "sky-48mp-float32.fits",
                lambda p: _float_fits(p, 8000, 6000),
            ),
            "bomb: progressive JPEG 10000² 4:2:0": (
                "bomb-progressive-420.jpg",
                lambda p: samples.progressive_jpeg(p, 10000, 10000, chroma="4:2:0"),
            ),
            "bomb: progressive JPEG 10000² 4:4:4": (
                "bomb-progressive-444.jpg",
                lambda p: samples.progressive_jpeg(p, 10000, 10000, chroma="4:4:4"),
            ),
            "bomb: WebP 16383×6000": ("bomb.webp", samples.big_webp),
            "bomb: GZIP_1 float64 FITS 10000²": ("bomb-gzip.fits", samples.compressed_float_fits),
        }
    out = {}
    for label, (name, make) in cases.items():
        path = directory / name
        if not path.exists():
            print(f"  generating {name} …", flush=True)
            make(path)
        out[label] = (path, make)
    return out


def _pattern16(path: Path, width: int, height: int) -> Path:
    import pyvips

    xy = pyvips.Image.xyz(width, height)
    grey = ((xy[0] * 7 + xy[1] * 3) % 65536).cast("ushort")
    rgb = grey.bandjoin([grey, grey]).copy(interpretation="rgb16")
    rgb.tiffsave(str(path), compression="lzw")
    return path


def _float_fits(path: Path, width: int, height: int) -> Path:
    import numpy as np
    from astropy.io import fits

    data = np.random.default_rng(31).random((height, width), dtype=np.float32)
    fits.PrimaryHDU(data).writeto(path, overwrite=True)
    return path


def probe(path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.media_probe", str(path), str(BUDGET_MB)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def concurrent_child(path: str, count: int) -> None:
    """``count`` uploads of the same file at once in this process."""
    from skyframe.media.errors import MediaError
    from skyframe.media.pipeline import MediaSettings, process_upload
    from skyframe.storage import LocalStorage
    from tests.media_probe import _status_mb, reset_peak

    settings = MediaSettings(decode_budget_mb=BUDGET_MB, max_concurrent=1)
    source = Path(path)
    errors: list[str] = []
    with tempfile.TemporaryDirectory() as out:

        def one(index: int) -> None:
            try:
                process_upload(
                    LocalStorage(f"{out}/{index}"), "p", source, source.name, None, settings
                )
            except MediaError as exc:
                errors.append(str(exc))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
        reset_peak()
        before = _status_mb("VmRSS")
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - start
        growth = _status_mb("VmHWM") - before
    print(json.dumps({"growth_mb": growth, "seconds": seconds, "errors": len(errors)}))


def fits_header_rows(directory: Path) -> list[tuple[str, float, str]]:
    from skyframe.media.errors import MediaError
    from skyframe.media.pipeline import MediaSettings, accept_upload
    from skyframe.storage import LocalStorage
    from tests import media_samples as samples

    cases = {
        "5,000 empty HDUs": {"empty_hdus": 5000},
        "15,000 empty HDUs": {"empty_hdus": 15000},
        "a 60,000-card header": {"extra_cards": 60000},
        "16 HDUs, 10,000 cards each (accepted)": {"empty_hdus": 14, "extra_cards": 9993},
    }
    rows = []
    for label, options in cases.items():
        path = samples.fits_layout(directory / "header-bomb.fits", **options)
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            try:
                storage = LocalStorage(out)
                accept_upload(storage, "incoming/x", path, "x.fits", None, MediaSettings())
                answer = "accepted"
            except MediaError as exc:
                answer = f"422 {exc}"
            rows.append((label, time.perf_counter() - start, answer))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--concurrent", type=int, default=10)
    parser.add_argument("--child-concurrent", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_concurrent:
        concurrent_child(args.child_concurrent[0], int(args.child_concurrent[1]))
        return

    data_dir = Path(tempfile.gettempdir()) / "skyframe-media-bench"
    data_dir.mkdir(exist_ok=True)
    files = _files(data_dir, args.quick)
    print(f"\nDecoder-memory budget {BUDGET_MB} MB; median of {args.runs} fresh processes.\n")
    print(f"{'file':<40} {'size':>9} {'estimate':>9} {'peak RSS +':>11} {'time':>8}  answer")
    for label, (path, _) in files.items():
        results = [probe(path) for _ in range(args.runs)]
        growth = statistics.median(r["growth_mb"] for r in results)
        seconds = statistics.median(r["seconds"] for r in results)
        estimate = results[0]["estimate_mb"]
        error = results[0]["error"]
        answer = "processed" if error is None else "422: " + error.split(";")[0]
        print(
            f"{label:<40} {path.stat().st_size / 1e6:7.2f}MB {estimate or 0:7d}MB "
            f"{growth:9.0f}MB {seconds:7.2f}s  {answer}",
            flush=True,
        )

    if not args.quick:
        path = files["bomb: progressive JPEG 10000² 4:2:0"][0]
        done = subprocess.run(
            [sys.executable, __file__, "--child-concurrent", str(path), str(args.concurrent)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        label = f"{args.concurrent} concurrent 100 MP uploads"
        print(
            f"{label:<40} {'':>9} {'':>9} {result['growth_mb']:9.0f}MB "
            f"{result['seconds']:7.2f}s  one process, MEDIA_MAX_CONCURRENT=1, "
            f"{result['errors']} refused"
        )

    print(f"\n{'FITS header bomb':<40} {'answered in':>11}  answer")
    for label, seconds, answer in fits_header_rows(data_dir):
        print(f"{label:<40} {seconds:10.3f}s  {answer}")


if __name__ == "__main__":
    main()
