"""`flask backup create|restore`: a site's database and files into one
archive and back, into a fresh database and a fresh storage (local folder or
S3 bucket), finding every post, file and count."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from skyframe.backups import MANIFEST
from skyframe.extensions import db
from skyframe.models import Base, Comment, Post, PostLike
from tests import media_samples as samples
from tests.conftest import STRONG_PASSWORD, build_app, login, throwaway_database
from tests.test_post_backends import post_form, s3_settings
from tests.test_storage import make_s3


@pytest.fixture
def backend(database_url) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


def build_site(app, make_user, tmp_path) -> dict:
    """Two observers, two real uploads (with their renditions), a like and a comment."""
    make_user("vega")
    make_user("lyra")
    client = app.test_client()
    login(client, "vega", STRONG_PASSWORD)
    ids = []
    for name in ("m31.jpg", "m42.jpg"):
        data = samples.jpeg_with_exif(tmp_path / name).read_bytes()
        response = client.post(
            "/api/v1/posts", data=post_form(data, name), content_type="multipart/form-data"
        )
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    login(client, "lyra", STRONG_PASSWORD)
    assert client.post(f"/api/v1/posts/{ids[0]}/like").status_code in (200, 201)
    comment = client.post(f"/api/v1/posts/{ids[0]}/comments", json={"body": "Lovely dust lanes"})
    assert comment.status_code == 201
    with app.app_context():
        storage = app.extensions["skyframe.storage"]
        return {
            "posts": {post.id: post.title for post in db.session.query(Post)},
            "rows": _rows(),
            "files": {key: storage.read(key) for key, _ in storage.files()},
        }


def _rows() -> dict[str, int]:
    return {
        table.name: db.session.execute(table.select().with_only_columns(db.func.count())).scalar()
        for table in Base.metadata.sorted_tables
    }


def back_up(app, target: Path) -> dict:
    arguments = ["backup", "create", "--output", str(target), "--json"]
    result = app.test_cli_runner().invoke(args=arguments)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def restore(app, source: Path, *extra: str):
    return app.test_cli_runner().invoke(args=["backup", "restore", str(source), *extra])


def assert_same_site(app, site: dict) -> None:
    with app.app_context():
        storage = app.extensions["skyframe.storage"]
        assert {post.id: post.title for post in db.session.query(Post)} == site["posts"]
        assert _rows() == site["rows"]
        assert {key: storage.read(key) for key, _ in storage.files()} == site["files"]
        assert db.session.query(PostLike).count() == 1
        assert db.session.query(Comment).one().body == "Lovely dust lanes"


def test_a_backup_restores_into_a_fresh_database_and_folder(
    app, make_user, tmp_path, tmp_path_factory, backend
):
    site = build_site(app, make_user, tmp_path)
    assert len(site["files"]) >= 6  # two uploads' renditions
    archive = tmp_path / "site.tar"
    manifest = back_up(app, archive)
    assert manifest["database"] == backend
    assert manifest["rows"]["posts"] == 2
    assert manifest["files"] == len(site["files"])
    assert manifest["revision"]

    with throwaway_database(backend, tmp_path_factory) as fresh_url:
        fresh = build_app(fresh_url, UPLOAD_FOLDER=str(tmp_path / "restored-uploads"))
        result = restore(fresh, archive)
        assert result.exit_code == 0, result.output
        assert "rows and files checked" in result.output
        assert_same_site(fresh, site)
        # The restored site serves what it restored.
        client = fresh.test_client()
        post = client.get(f"/api/v1/posts/{next(iter(site['posts']))}").get_json()
        assert client.get(post["media"]["display"][0]["url"]).status_code == 200
        with fresh.app_context():
            db.engine.dispose()


def test_a_backup_of_a_bucket_restores_into_a_fresh_bucket(
    app_factory, make_user, tmp_path, tmp_path_factory, backend, s3_endpoint
):
    source_bucket = make_s3(s3_endpoint)
    app = app_factory(**s3_settings(s3_endpoint, source_bucket.bucket))
    site = build_site(app, make_user, tmp_path)
    archive = tmp_path / "site.tar"
    back_up(app, archive)

    fresh_bucket = make_s3(s3_endpoint)
    with throwaway_database(backend, tmp_path_factory) as fresh_url:
        fresh = build_app(fresh_url, **s3_settings(s3_endpoint, fresh_bucket.bucket))
        result = restore(fresh, archive)
        assert result.exit_code == 0, result.output
        assert_same_site(fresh, site)
        with fresh.app_context():
            db.engine.dispose()


def test_restoring_over_a_site_that_holds_data_needs_replace(app, make_user, tmp_path):
    site = build_site(app, make_user, tmp_path)
    archive = tmp_path / "site.tar"
    back_up(app, archive)
    refused = restore(app, archive)
    assert refused.exit_code == 1
    assert "the database is not empty" in refused.output
    assert "--replace" in refused.output

    # Changes after the backup are undone by restoring it with --replace.
    client = app.test_client()
    login(client, "vega", STRONG_PASSWORD)
    assert client.delete(f"/api/v1/posts/{next(iter(site['posts']))}").status_code == 204
    replaced = restore(app, archive, "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert_same_site(app, site)


def test_an_archive_that_is_not_a_backup_is_refused_clearly(app, tmp_path):
    not_tar = tmp_path / "photo.tar"
    not_tar.write_bytes(b"\xff\xd8\xff\xe0 not a tar")
    result = restore(app, not_tar)
    assert result.exit_code == 1
    assert "cannot read the backup" in result.output

    no_manifest = tmp_path / "empty.tar"
    with tarfile.open(no_manifest, "w"):
        pass
    result = restore(app, no_manifest)
    assert result.exit_code == 1
    assert "no manifest.json" in result.output


def test_a_backup_missing_files_its_manifest_counts_fails_the_check(
    app, make_user, tmp_path, tmp_path_factory, backend
):
    build_site(app, make_user, tmp_path)
    archive = tmp_path / "site.tar"
    back_up(app, archive)
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        members = source.getmembers()
        dropped = next(m for m in members if m.name.startswith("files/"))
        for member in members:
            if member is not dropped:
                target.addfile(member, source.extractfile(member))
    with throwaway_database(backend, tmp_path_factory) as fresh_url:
        fresh = build_app(fresh_url, UPLOAD_FOLDER=str(tmp_path / "restored"))
        result = restore(fresh, damaged)
        assert result.exit_code == 1
        assert "the backup is incomplete" in result.output
        with fresh.app_context():
            db.engine.dispose()


def test_the_archive_holds_a_manifest_the_dump_and_the_files(app, make_user, tmp_path, backend):
    build_site(app, make_user, tmp_path)
    archive = tmp_path / "site.tar"
    back_up(app, archive)
    with tarfile.open(archive) as contents:
        names = contents.getnames()
    assert MANIFEST in names
    assert ("database.pgdump" if backend == "postgresql" else "database.sqlite3") in names
    assert any(name.startswith("files/posts/") for name in names)
    assert not list(tmp_path.glob(".*.partial"))
