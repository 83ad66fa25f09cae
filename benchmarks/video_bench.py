"""Clip transcodes through the whole job: wall time and peak memory.

Generates (never downloads) a 30 s 1080p30 clip with sound and a 30 s 4K30
clip — a noisy night sky with stars and a meteor crossing it, the hardest
kind of picture for an encoder — then, in a fresh child process per run,
does what the job does: probe the stored upload, decode, scale, encode
H.264 + AAC into a faststart MP4, pick and render the poster (JPEG + WebP,
display and thumbnail, BlurHash) and write it all to local storage. Each
figure is that child's own: wall time around it, peak RSS from
``os.wait4`` (the kernel's high-water mark of that process alone).

    .venv/bin/python benchmarks/video_bench.py [--runs 1] [--only 1080p]
        [--preset veryfast] [--crf 23] [--threads 2] [--scaler BILINEAR]

It prints the settings, the resulting bitrate (the quality the CRF gives on
this content) and the targets (2 cores, idle machine: 1080p30 30 s ≤ 20 s and
≤ 400 MB; 4K30 30 s ≤ 60 s and ≤ 700 MB). The sources are kept in
``--cache`` (default: the system temporary folder) between runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLIPS = {
    # name: (width, height, seconds, fps, audio, target seconds, target MB)
    "1080p30": (1920, 1080, 30, 30, True, 20, 400),
    "4K30": (3840, 2160, 30, 30, False, 60, 700),
}


def night_sky_clip(path: Path, width: int, height: int, seconds: int, fps: int, audio: bool):
    """A star field under sensor noise (a few noise layers in turn, so no
    two neighbouring frames are alike) with a meteor crossing it."""
    import av
    import numpy as np

    from tests import media_samples

    sky = media_samples.star_field(width, height, stars=width // 4).astype(np.int16)
    rng = np.random.default_rng(5)
    noise = [rng.integers(-3, 4, size=(height, width, 1), dtype=np.int16) for _ in range(3)]
    frames = seconds * fps
    rate = 48000
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "24"}
        sound = out.add_stream("aac", rate=rate) if audio else None
        if sound is not None:
            sound.layout = "stereo"
        written = 0  # audio samples, kept level with the pictures
        for index in range(frames):
            pixels = sky + noise[index % len(noise)]
            x = int((width - 1) * index / frames)
            y = height // 3 + index * height // (3 * frames)
            pixels[y : y + 4, max(0, x - width // 10) : x] = 255
            frame = av.VideoFrame.from_ndarray(
                np.clip(pixels, 0, 255).astype(np.uint8), format="rgb24"
            )
            frame.pts = index
            out.mux(stream.encode(frame))
            while sound is not None and written < (index + 1) * rate // fps:
                t = np.arange(written, written + 1024) / rate
                wave = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
                chunk = av.AudioFrame.from_ndarray(
                    np.stack([wave, wave]), format="fltp", layout="stereo"
                )
                chunk.sample_rate, chunk.pts = rate, written
                out.mux(sound.encode(chunk))
                written += 1024
        out.mux(stream.encode())
        if sound is not None:
            out.mux(sound.encode())
    return path


def sources(cache: Path, only: list[str]) -> dict[str, Path]:
    found = {}
    for name in only:
        width, height, seconds, fps, audio, _, _ = CLIPS[name]
        path = cache / f"skyframe-bench-{name}-{seconds}s.mp4"
        if not path.exists():
            started = time.perf_counter()
            print(f"generating {path.name} …", file=sys.stderr, flush=True)
            night_sky_clip(path.with_suffix(".part"), width, height, seconds, fps, audio)
            path.with_suffix(".part").rename(path)
            print(f"  {time.perf_counter() - started:.1f} s", file=sys.stderr)
        found[name] = path
    return found


def child(source: str, settings: dict) -> None:
    """One job run, in this (fresh) process: prints a JSON line."""
    from dataclasses import replace

    from skyframe.media.clips import render_clip_to_storage
    from skyframe.media.formats import MP4
    from skyframe.media.pipeline import MediaSettings, accept_upload
    from skyframe.storage import LocalStorage

    media = MediaSettings()
    # The sources are noisier (bigger) than a phone's: the size limit is not
    # what is measured.
    media = replace(
        media,
        video_max_bytes=1 << 40,
        video_encode=replace(media.video_encode, **settings),
    )
    with tempfile.TemporaryDirectory(prefix="skyframe-bench-") as root:
        storage = LocalStorage(root)
        started = time.perf_counter()
        accepted = accept_upload(storage, "incoming/bench", Path(source), "clip.mp4", None, media)
        probed = time.perf_counter()
        done = render_clip_to_storage(storage, "posts/bench", accepted.key, MP4, media)
        finished = time.perf_counter()
        clip = done.stored[0]
        print(
            json.dumps(
                {
                    "probe_s": probed - started,
                    "job_s": finished - probed,
                    "bytes": clip.size,
                    "width": clip.width,
                    "height": clip.height,
                    "duration_s": done.transcoded.duration_s,
                    "frames": done.transcoded.frames,
                    "has_audio": done.transcoded.has_audio,
                }
            )
        )


def run_child(source: Path, settings: dict) -> dict:
    command = [sys.executable, __file__, "--child", str(source), json.dumps(settings)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    output = process.stdout.read().decode()
    process.stdout.close()
    if status != 0:
        raise SystemExit(f"the job failed (status {status}): {output}")
    result = json.loads(output.strip().splitlines()[-1])
    result |= {"wall_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--only", action="append", choices=sorted(CLIPS))
    parser.add_argument("--preset")
    parser.add_argument("--crf", type=int)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--scaler")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], json.loads(args.child[1]))
        return
    from skyframe.media.video import EncodeSettings

    settings = {
        name: value
        for name in ("preset", "crf", "threads", "scaler")
        if (value := getattr(args, name)) is not None
    }
    effective = EncodeSettings(**settings)
    print(
        f"settings: libx264 preset {effective.preset}, crf {effective.crf}, "
        f"maxrate {effective.maxrate_kbps} kb/s at 1080p30, {effective.threads} threads, "
        f"scaler {effective.scaler}; AAC {effective.audio_kbps} kb/s; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    for name, path in sources(args.cache, args.only or list(CLIPS)).items():
        target_s, target_mb = CLIPS[name][5:]
        runs = [run_child(path, settings) for _ in range(args.runs)]
        wall = statistics.median(r["wall_s"] for r in runs)
        rss = max(r["peak_rss_mb"] for r in runs)
        last = runs[-1]
        kbps = last["bytes"] * 8 / 1000 / last["duration_s"]
        print(
            f"{name:8} 30 s: wall {wall:5.1f} s (target ≤ {target_s}; job {last['job_s']:.1f} s), "
            f"peak RSS {rss:4.0f} MB (target ≤ {target_mb}); "
            f"out {last['width']}×{last['height']}, {last['frames']} frames, "
            f"{kbps:,.0f} kb/s, {last['bytes'] / 1e6:.1f} MB, "
            f"audio {'yes' if last['has_audio'] else 'no'}; "
            f"probe {last['probe_s'] * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
