"""A person uploads a capture from the upload page on a phone."""

from __future__ import annotations

from playwright.sync_api import expect

from tests import media_samples as samples
from tests.conftest import STRONG_PASSWORD


def sign_in(page, live_server, make_user):
    make_user("shapley")
    page.goto(live_server + "/login")
    page.get_by_label("E-mail or handle").fill("shapley")
    page.get_by_label("Password").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server + "/")


def test_upload_with_preview_progress_and_typeahead(
    phone, live_server, make_user, tmp_path, artifacts_dir
):
    page = phone
    sign_in(page, live_server, make_user)
    page.goto(live_server + "/upload")
    image = samples.jpeg_with_exif(tmp_path / "andromeda.jpg", width=1600, height=1067)
    page.get_by_label("Image").set_input_files(str(image))
    preview = page.locator("#upload-preview-image")
    preview.wait_for(state="visible")
    assert "andromeda.jpg" in page.locator("#upload-preview-caption").inner_text()
    page.get_by_label("Title").fill("Andromeda from the garden")
    with page.expect_response(lambda r: "/api/v1/catalogue/suggest" in r.url):
        page.get_by_label("Object").fill("andromeda")
    assert page.locator("#object-suggestions option").first.get_attribute("value") == "M 31"
    page.get_by_label("Category").select_option("deep-sky")
    page.screenshot(path=artifacts_dir / "upload-form.png", full_page=True)

    with page.expect_response(lambda r: r.url.endswith("/api/v1/posts")) as answer:
        page.get_by_role("button", name="Upload").click()
    assert answer.value.status == 201
    page.wait_for_url(live_server + "/p/*")
    picture = page.locator(".post-image img")
    picture.wait_for(state="visible")
    assert page.get_by_role("heading", name="Andromeda from the garden").is_visible()
    assert page.get_by_text("Canon EOS Ra").is_visible()  # from the file's EXIF
    natural_width = picture.evaluate("img => img.naturalWidth")
    assert natural_width == 1600
    page.screenshot(path=artifacts_dir / "post-page.png", full_page=True)
    assert page.problems == []


def test_refused_file_shows_the_reason_next_to_the_field(phone, live_server, make_user, tmp_path):
    page = phone
    sign_in(page, live_server, make_user)
    page.goto(live_server + "/upload")
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(samples.HTML)
    page.get_by_label("Image").set_input_files(str(fake))
    page.get_by_label("Title").fill("Not really a photo")
    page.get_by_label("Category").select_option("other")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/posts")) as answer:
        page.get_by_role("button", name="Upload").click()
    assert answer.value.status == 422
    # The answer is shown by the XHR's load handler, a moment after the response.
    expect(page.get_by_text("Markup (SVG, HTML) is not accepted").first).to_be_visible()
    expect(page.get_by_label("Image")).to_have_attribute("aria-invalid", "true")
    # The 422 itself is expected; nothing else may have gone wrong.
    assert [p for p in page.problems if "/api/v1/posts" not in p] == []


def test_a_clip_shows_its_frame_and_duration_before_it_is_sent(
    phone, live_server, make_user, tmp_path
):
    from tests import clip_samples

    page = phone
    sign_in(page, live_server, make_user)
    page.goto(live_server + "/upload")
    clip = clip_samples.make_clip(tmp_path / "perseid.webm", "webm", seconds=2)
    page.get_by_label("Image or clip").set_input_files(str(clip))
    page.locator("#upload-preview-video").wait_for(state="visible")
    expect(page.locator("#upload-preview-caption")).to_contain_text("perseid.webm")
    expect(page.locator("#upload-preview-caption")).to_contain_text("0:02")
    page.get_by_label("Title").fill("Perseid over the barn")
    page.get_by_label("Category").select_option("meteor")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/posts")) as answer:
        page.get_by_role("button", name="Upload").click()
    assert answer.value.status == 202  # transcoded by a job
    page.wait_for_url(live_server + "/p/*")
    assert page.problems == []
