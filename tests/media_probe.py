"""Run the upload pipeline on one file in a fresh process and report the
decode's peak memory, so that the figure is that process's alone.

    python -m tests.media_probe FILE [BUDGET_MB]

Prints one JSON line: ``growth_mb`` (peak RSS during the pipeline minus RSS
just before it; the kernel's high-water mark is reset first), ``estimate_mb``
(what the header check predicted), ``seconds`` and ``error`` (the refusal
the uploader would read, or null). Used by tests/test_media_bombs.py and
benchmarks/media_bench.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak() -> None:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0)."""
    Path("/proc/self/clear_refs").write_text("5")


def probe(path: Path, budget_mb: int) -> dict:
    from skyframe.media import images
    from skyframe.media.errors import MediaError
    from skyframe.media.formats import identify
    from skyframe.media.pipeline import MediaSettings, process_upload
    from skyframe.storage import LocalStorage

    settings = MediaSettings(decode_budget_mb=budget_mb)
    with path.open("rb") as handle:
        fmt = identify(handle.read(80), path.name, None)
    try:
        estimate = images.inspect(path, fmt, settings.max_pixels).cost.megabytes
    except MediaError:
        estimate = None
    with tempfile.TemporaryDirectory() as out:
        storage = LocalStorage(out)
        reset_peak()
        before = _status_mb("VmRSS")
        start = time.perf_counter()
        error = None
        try:
            process_upload(storage, "probe", path, path.name, None, settings)
        except MediaError as exc:
            error = str(exc)
        seconds = time.perf_counter() - start
        growth = _status_mb("VmHWM") - before
    return {
        "growth_mb": round(growth, 1),
        "estimate_mb": estimate,
        "seconds": round(seconds, 3),
        "error": error,
    }


def run(path: Path, budget_mb: int = 400, timeout: int = 600) -> dict:
    """``probe`` in a child process."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.media_probe", str(path), str(budget_mb)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    budget = int(sys.argv[2]) if len(sys.argv) > 2 else 400
    print(json.dumps(probe(Path(sys.argv[1]), budget)))
