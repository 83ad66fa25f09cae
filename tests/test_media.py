"""The media pipeline on generated files: what is accepted, what is refused,
what comes out (sizes, formats, no metadata), and what is read first."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest
import pyvips
from PIL import Image

from skyframe.media import formats, images
from skyframe.media.errors import MediaError
from skyframe.media.metadata import read_metadata
from skyframe.media.pipeline import MediaSettings, accept_upload, process_upload
from skyframe.storage import LocalStorage
from tests import media_samples as samples

SETTINGS = MediaSettings(max_pixels=100_000_000, display_edge=2048, thumb_edge=480)


@pytest.fixture
def storage(tmp_path):
    return LocalStorage(tmp_path / "uploads")


def stored_files(storage: LocalStorage) -> list[Path]:
    return [p for p in storage.root.rglob("*") if p.is_file()] if storage.root.exists() else []


ACCEPTED = [
    ("star.jpg", lambda p: samples.write_image(p, fmt="jpeg")),
    ("star.jpeg", lambda p: samples.write_image(p, fmt="jpeg")),
    ("star.png", lambda p: samples.write_image(p, fmt="png")),
    ("star16.png", lambda p: samples.write_image(p, fmt="png", bits=16)),
    ("star.webp", lambda p: samples.write_image(p, fmt="webp")),
    ("star.tif", lambda p: samples.write_image(p, fmt="tiff")),
    ("star16.tiff", lambda p: samples.write_image(p, fmt="tiff", bits=16)),
    ("grey16.tif", lambda p: samples.write_image(p, fmt="tiff", bits=16, channels=1)),
    ("lzw16.tif", lambda p: samples.write_image(p, fmt="tiff", bits=16, compression="lzw")),
    ("mono.fits", lambda p: samples.fits_file(p)),
    ("rgb.fit", lambda p: samples.fits_file(p, cube=True)),
]


@pytest.mark.parametrize(("name", "make"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_every_accepted_format_becomes_web_renditions(tmp_path, storage, name, make):
    source = make(tmp_path / name)
    result = process_upload(storage, "posts/p1", source, name, None, SETTINGS)
    kinds = sorted((s.kind, s.content_type) for s in result.stored)
    assert kinds == [
        ("display", "image/jpeg"),
        ("display", "image/webp"),
        ("original", "image/jpeg"),
        ("thumb", "image/jpeg"),
        ("thumb", "image/webp"),
    ]
    for stored in result.stored:
        image = pyvips.Image.new_from_file(str(storage.local_path(stored.key)))
        assert (image.width, image.height) == (stored.width, stored.height)
        assert image.format == "uchar"
    assert result.placeholder.color.startswith("#")
    assert len(result.placeholder.blurhash) >= 6
    # Nothing but the renditions is left behind (the upload itself is gone).
    assert sorted(p.name for p in stored_files(storage)) == sorted(
        s.key.rsplit("/", 1)[1] for s in result.stored
    )


def test_large_images_are_scaled_to_display_and_thumbnail_sizes(tmp_path, storage):
    source = samples.write_image(tmp_path / "wide.jpg", 3000, 2000, fmt="jpeg")
    result = process_upload(storage, "posts/p", source, "wide.jpg", None, SETTINGS)
    sizes = {(s.kind, s.content_type): (s.width, s.height) for s in result.stored}
    assert sizes[("original", "image/jpeg")] == (3000, 2000)
    assert sizes[("display", "image/webp")] == (2048, 1365)
    assert sizes[("thumb", "image/jpeg")] == (480, 320)


def test_sixteen_bit_data_is_scaled_not_clipped(tmp_path, storage):
    """A mid-grey 16-bit frame must stay mid-grey (naive conversions turn it white)."""
    import numpy as np

    grey = np.full((64, 96, 1), 32768, dtype=np.uint16)
    pyvips.Image.new_from_array(grey, interpretation="grey16").tiffsave(str(tmp_path / "g.tif"))
    rgb = np.full((64, 96, 3), 32768, dtype=np.uint16)
    pyvips.Image.new_from_array(rgb, interpretation="rgb16").pngsave(str(tmp_path / "c.png"))
    for name in ("g.tif", "c.png"):
        result = process_upload(storage, f"posts/{name[0]}", tmp_path / name, name, None, SETTINGS)
        original = next(s for s in result.stored if s.kind == "original")
        mean = pyvips.Image.new_from_file(str(storage.local_path(original.key))).avg()
        assert 120 <= mean <= 136, f"{name}: mean {mean}"


def test_gps_camera_serial_and_all_exif_are_stripped(tmp_path, storage):
    source = samples.jpeg_with_exif(tmp_path / "gps.jpg")
    with Image.open(source) as before:
        assert before.getexif().get_ifd(0x8825)  # the fixture really has GPS
    result = process_upload(storage, "posts/g", source, "gps.jpg", "image/jpeg", SETTINGS)
    for stored in result.stored:
        raw = storage.read(stored.key)
        assert b"SERIAL-12345678" not in raw
        assert b"Canon" not in raw
        assert b"SecretEditor" not in raw
        with Image.open(storage.local_path(stored.key)) as image:
            exif = image.getexif()
            assert not exif.get_ifd(0x8825), f"{stored.key} kept GPS"
            assert len(exif) == 0, f"{stored.key} kept EXIF {dict(exif)}"
            assert "xmp" not in image.info


@pytest.mark.parametrize("orientation", [1, 3, 6, 8])
def test_orientation_is_applied_before_stripping(tmp_path, storage, orientation):
    source = samples.jpeg_with_exif(tmp_path / "o.jpg", orientation=orientation)
    result = process_upload(storage, "posts/o", source, "o.jpg", None, SETTINGS)
    display = next(
        s for s in result.stored if s.kind == "display" and s.content_type == "image/jpeg"
    )
    image = pyvips.Image.new_from_file(str(storage.local_path(display.key)))
    upright = orientation in (1, 3)
    assert (image.width > image.height) == upright
    # Where the red marker (top-left of the sensor) ends up after rotation.
    corner = {1: (0, 0), 3: (1, 1), 6: (1, 0), 8: (0, 1)}[orientation]
    x = 5 if corner[0] == 0 else image.width - 6
    y = 5 if corner[1] == 0 else image.height - 6
    red, green, _ = image.getpoint(x, y)[:3]
    assert red > 200
    assert green < 60


def test_capture_metadata_is_read_before_reencoding(tmp_path):
    exif = read_metadata(samples.jpeg_with_exif(tmp_path / "e.jpg"), formats.JPEG)
    assert exif.captured_at == samples.CAPTURED_AT
    assert exif.camera == "Canon EOS Ra"
    assert exif.exposure_seconds == 30.0
    assert exif.gain == "ISO 1600"
    fits_meta = read_metadata(samples.fits_file(tmp_path / "f.fits"), formats.FITS)
    assert fits_meta.object_name == "M 42"
    assert fits_meta.camera == "ZWO ASI2600MM Pro"
    assert fits_meta.telescope == "Esprit 100ED"
    assert fits_meta.filters == "Ha"
    assert fits_meta.exposure_seconds == 120.0
    assert fits_meta.captured_at.isoformat() == "2026-01-15T21:04:00+00:00"


def test_fits_preview_is_stretched_for_display(tmp_path, storage):
    source = samples.fits_file(tmp_path / "f.fits")
    result = process_upload(storage, "posts/f", source, "f.fits", None, SETTINGS)
    display = next(s for s in result.stored if s.kind == "display")
    image = pyvips.Image.new_from_file(str(storage.local_path(display.key)))
    assert image.max() >= 250  # stars reach white
    assert 10 <= image.avg() <= 200  # the sky is visible, not black or blown out


REFUSED = [
    ("empty.jpg", b"", None, "empty"),
    ("evil.svg", samples.SVG, "image/svg+xml", "not accepted"),
    ("page.jpg", samples.HTML, "image/jpeg", "not accepted"),
    ("shell.php", samples.PHP, "application/x-php", "not accepted"),
    ("shell.php.jpg", samples.PHP, "image/jpeg", "not accepted"),
    ("zip.jpg", b"PK\x03\x04" + b"\x00" * 60, "image/jpeg", "not an image"),
    ("gz.fits", b"\x1f\x8b\x08" + b"\x00" * 60, None, "not an image"),
]


@pytest.mark.parametrize(
    ("name", "data", "declared", "message"), REFUSED, ids=[r[0] for r in REFUSED]
)
def test_non_images_are_refused_by_their_bytes(tmp_path, storage, name, data, declared, message):
    path = tmp_path / "upload"
    path.write_bytes(data)
    with pytest.raises(MediaError, match=message):
        accept_upload(storage, "incoming/x", path, name, declared, SETTINGS)
    assert stored_files(storage) == []


@pytest.mark.parametrize(
    ("name", "declared", "message"),
    [
        ("star.png", None, "rename it"),
        ("star", None, "no extension"),
        ("star.jpg", "image/png", "sent as image/png"),
        ("star.jpg", "text/html", "sent as text/html"),
    ],
)
def test_extension_and_declared_type_must_match_the_bytes(
    tmp_path, storage, name, declared, message
):
    path = samples.write_image(tmp_path / "real.jpg", fmt="jpeg")
    with pytest.raises(MediaError, match=message):
        accept_upload(storage, "incoming/x", path, name, declared, SETTINGS)
    assert stored_files(storage) == []


@pytest.mark.parametrize(
    "filename",
    ["../../etc/passwd.jpg", "..\\..\\windows\\evil.jpg", "/abs/path/star.jpg", "C:\\x\\star.JPG"],
)
def test_client_paths_in_file_names_are_ignored(tmp_path, storage, filename):
    path = samples.write_image(tmp_path / "real.jpg", fmt="jpeg")
    upload = accept_upload(storage, "incoming/x", path, filename, None, SETTINGS)
    assert upload.key == "incoming/x.jpeg"
    assert [p.relative_to(storage.root).as_posix() for p in stored_files(storage)] == [
        "incoming/x.jpeg"
    ]


def test_pixel_bomb_is_refused_from_its_header_without_decoding(tmp_path, storage):
    bomb = samples.png_declaring(tmp_path / "bomb.png", 30000, 30000)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(MediaError, match="900 MP"):
        accept_upload(storage, "incoming/x", bomb, "bomb.png", "image/png", SETTINGS)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 50  # decoding it would need 2.7 GB
    assert stored_files(storage) == []


def test_pixel_limit_is_configurable(tmp_path, storage):
    source = samples.write_image(tmp_path / "s.jpg", 400, 300, fmt="jpeg")
    small = MediaSettings(max_pixels=100_000)
    with pytest.raises(MediaError, match="up to 0.1 MP"):
        accept_upload(storage, "incoming/x", source, "s.jpg", None, small)


def test_truncated_jpeg_fails_cleanly_leaving_nothing(tmp_path, storage):
    source = samples.truncated_jpeg(tmp_path / "cut.jpg")
    with pytest.raises(MediaError, match="damaged"):
        process_upload(storage, "posts/t", source, "cut.jpg", None, SETTINGS)
    assert stored_files(storage) == []


def test_fits_claiming_a_huge_image_is_refused_without_reading_data(tmp_path, storage):
    from astropy.io import fits

    header = fits.Header(
        {"SIMPLE": True, "BITPIX": 16, "NAXIS": 2, "NAXIS1": 20000, "NAXIS2": 20000}
    )
    path = tmp_path / "huge.fits"
    path.write_bytes(header.tostring().encode() + b"\x00" * 2880)
    with pytest.raises(MediaError, match="shorter than its headers say|400 million"):
        accept_upload(storage, "incoming/x", path, "huge.fits", None, SETTINGS)
    assert stored_files(storage) == []


def test_fits_pixel_limit_comes_from_the_header(tmp_path, storage):
    source = samples.fits_file(tmp_path / "f.fits", 320, 240)
    limit = MediaSettings(max_pixels=50_000)
    with pytest.raises(MediaError, match="0.0768 million"):
        accept_upload(storage, "incoming/x", source, "f.fits", None, limit)


def test_identify_recognises_signatures():
    assert formats.sniff(b"\xff\xd8\xff\xe0") is formats.JPEG
    assert formats.sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") is formats.WEBP
    assert formats.sniff(b"MM\x00*") is formats.TIFF
    assert formats.sniff(b"SIMPLE  =                    T") is formats.FITS
    assert formats.sniff(b"SIMPLE  =                    F") is None
    assert formats.sniff(b"GIF89a") is None
    assert images.LOADERS.keys() == {"jpeg", "png", "webp", "tiff"}
