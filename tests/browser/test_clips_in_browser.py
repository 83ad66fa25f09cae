"""Clips in the feed on a phone (Chromium, real clips made with PyAV and
transcoded by the app): a clip plays muted when it is on screen and pauses
when it leaves, the sound choice carries to the next clip and survives a
reload, and nothing plays by itself when the browser asks to save data, the
viewer turned autoplay off, or a warning label covers the clip."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import unnamed_controls
from tests.browser.helpers import card, on_screen, settle, sign_in

VIDEO = "document.querySelector(`.feed-card[data-post-id='${id}'] video`)"
STATE = f"""id => {{ const v = {VIDEO};
  return v && {{paused: v.paused, muted: v.muted, time: v.currentTime, preload: v.preload}}; }}"""
PLAYING = f"""([id, muted]) => {{ const v = {VIDEO};
  return v && !v.paused && v.currentTime > 0 && v.muted === muted; }}"""
SAVE_DATA = "{value: {saveData: true, addEventListener() {}}}"


@pytest.fixture
def clips(make_user, make_clip_post) -> list[int]:
    """Three short clips with sound, and a still image between two of them."""
    owner = make_user("halley")
    return [make_clip_post(owner, title=f"Meteor {n}", seconds=3.0) for n in range(3)]


def go_to(page, post_id: int) -> None:
    """Move through the feed with the keyboard (a key is the viewer's gesture)
    until the card of ``post_id`` fills the screen."""
    for _ in range(12):
        if on_screen(page) == post_id:
            return
        page.keyboard.press("j")
        settle(page)
    raise AssertionError(f"post {post_id} never came on screen")


def state(page, post_id: int) -> dict:
    return page.evaluate(STATE, post_id)


def wait_playing(page, post_id: int, *, muted: bool) -> None:
    page.wait_for_function(PLAYING, arg=[post_id, muted])


def waits_for(page, post_id: int, control, media_requests: list | None = None) -> None:
    """The clip on screen stays still (with ``media_requests``, none were made
    meanwhile), and plays (muted) once ``control`` is tapped."""
    expect(control).to_be_visible()
    page.wait_for_timeout(500)  # a moment in which it could have started
    assert state(page, post_id)["paused"] is True
    assert state(page, post_id)["time"] == 0
    assert media_requests is None or media_requests == []
    control.tap()
    wait_playing(page, post_id, muted=True)


def feed_order(page) -> list[int]:
    return page.evaluate("[...document.querySelectorAll('.feed-card')].map(c => +c.dataset.postId)")


def test_a_clip_plays_muted_on_screen_pauses_off_screen_and_its_sound_carries_and_survives_a_reload(
    phone, live_server, clips, artifacts_dir
):
    page = phone
    media = []
    page.on("request", lambda r: media.append(r.url) if r.resource_type == "media" else None)
    page.goto(live_server + "/")
    first, second, third = feed_order(page)[:3]
    assert sorted([first, second, third]) == sorted(clips)

    # The first clip on screen plays by itself, muted, and the sound button says so.
    go_to(page, first)
    wait_playing(page, first, muted=True)
    sound = card(page, first).get_by_role("button", name="Sound")
    expect(sound).to_have_attribute("aria-pressed", "false")
    video = card(page, first).locator("video")
    expect(video).to_have_accessible_name(f"Meteor {clips.index(first)}")
    # Only it and the next clip load media; the one after waits.
    assert state(page, second)["preload"] == "auto"
    assert state(page, third)["preload"] == "none"
    assert not [url for url in media if url.endswith(clip_path(page, third))]
    page.screenshot(path=artifacts_dir / "clip-playing.png")

    # Scrolled away, it pauses; the next clip plays.
    go_to(page, second)
    assert state(page, first)["paused"] is True
    wait_playing(page, second, muted=True)

    # Sound on: a tap on the sound button; the next clip plays with sound too.
    sound = card(page, second).get_by_role("button", name="Sound")
    sound.tap()
    expect(sound).to_have_attribute("aria-pressed", "true")
    assert state(page, second)["muted"] is False
    go_to(page, third)
    wait_playing(page, third, muted=False)

    # After a reload the choice holds: the clip the viewer moves to plays with sound.
    page.reload()
    assert page.evaluate("JSON.parse(localStorage.getItem('skyframe.clip-sound')).muted") is False
    go_to(page, second)
    wait_playing(page, second, muted=False)
    sound = card(page, second).get_by_role("button", name="Sound")
    expect(sound).to_have_attribute("aria-pressed", "true")

    # And sound off again (the M key, as on video sites) holds for the next clip.
    page.keyboard.press("m")
    expect(sound).to_have_attribute("aria-pressed", "false")
    go_to(page, third)
    wait_playing(page, third, muted=True)
    assert unnamed_controls(page) == []
    assert page.problems == []


def clip_path(page, post_id: int) -> str:
    """The path of a clip's MP4 on the page."""
    return page.evaluate(
        f"id => new URL({VIDEO}.src).pathname",
        post_id,
    )


def test_nothing_plays_by_itself_when_saving_data_or_with_autoplay_off_and_a_tap_starts_it(
    browser, live_server, clips, make_user
):
    from tests.browser.conftest import PHONE, watch

    # The browser asks to save data: the clip on screen waits, and loads nothing.
    context = browser.new_context(**PHONE)
    context.add_init_script(f"Object.defineProperty(navigator, 'connection', {SAVE_DATA})")
    page = context.new_page()
    watch(page)
    media = []
    page.on("request", lambda r: media.append(r.url) if r.resource_type == "media" else None)
    page.goto(live_server + "/")
    first = feed_order(page)[0]
    # Not even the clip on screen loads before the tap.
    waits_for(page, first, card(page, first).get_by_role("button", name="Play the clip"), media)
    assert page.problems == []
    context.close()

    # Autoplay turned off in the settings (this device): the same.
    make_user("viewer")
    context = browser.new_context(**PHONE)
    page = context.new_page()
    watch(page)
    # Seen reports are not this test's (one sent as the page closes could still
    # be writing when the database is emptied after the test).
    page.route("**/api/v1/feed/seen", lambda route: route.fulfill(status=204))
    sign_in(page, live_server, "viewer")
    page.goto(live_server + "/settings")
    switch = page.get_by_label("Play clips automatically (muted) on this device")
    expect(switch).to_be_checked()
    switch.uncheck()
    page.goto(live_server + "/")
    first = feed_order(page)[0]
    waits_for(page, first, card(page, first).get_by_role("button", name="Play the clip"))
    assert page.problems == []
    context.close()


def test_a_clip_under_a_warning_label_plays_only_once_the_cover_is_lifted(
    app, phone, live_server, make_user, make_clip_post
):
    from skyframe.extensions import db
    from skyframe.models import Post

    owner = make_user("halley")
    flashing = make_clip_post(owner, title="Flashing aurora", seconds=3.0)
    with app.app_context():
        db.session.get(Post, flashing).labels = "flashing"
        db.session.commit()
    page = phone
    page.goto(live_server + "/")
    waits_for(page, flashing, card(page, flashing).locator('[data-role="cover"]'))
    assert page.problems == []


def test_the_service_worker_never_keeps_a_clip(phone, live_server, clips):
    from tests.browser.test_service_worker_in_browser import CACHE_CONTENTS

    page = phone
    through_worker = []
    page.on(
        "response",
        lambda r: through_worker.append(r.url) if r.from_service_worker else None,
    )
    page.goto(live_server + "/")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # controlled from now on
    assert page.evaluate("!!navigator.serviceWorker.controller")
    first = feed_order(page)[0]
    wait_playing(page, first, muted=True)
    path = clip_path(page, first)
    # Fetched by a script too, whole or a range: straight from the network.
    for headers in ({}, {"Range": "bytes=0-99"}):
        status = page.evaluate(
            "([url, headers]) => fetch(url, {headers}).then(r => r.status)", [path, headers]
        )
        assert status in (200, 206)
    page.wait_for_load_state("networkidle")
    stored = [e["url"] for entries in page.evaluate(CACHE_CONTENTS).values() for e in entries]
    assert path not in stored
    assert not [url for url in through_worker if url.endswith(path)]
    assert page.problems == []


def test_a_clip_played_two_seconds_or_to_its_end_is_reported_once(
    phone, live_server, make_user, make_clip_post
):
    owner = make_user("halley")
    long_one = make_clip_post(owner, title="Long meteor", seconds=3.0)
    short_one = make_clip_post(owner, title="Short meteor", seconds=1.0)
    page = phone
    page.add_init_script(
        "document.addEventListener('skyframe:clip-played', e =>"
        " (window.__played ||= []).push({...e.detail, target: e.target.tagName}))"
    )
    page.goto(live_server + "/")
    played = "window.__played || []"
    for post_id, at_least in ((short_one, 0.5), (long_one, 2.0)):
        go_to(page, post_id)
        page.wait_for_function(f"id => ({played}).some(p => p.postId === id)", arg=post_id)
        [report] = [p for p in page.evaluate(played) if p["postId"] == post_id]
        assert report["target"] == "VIDEO"
        assert report["seconds"] >= at_least
    page.wait_for_timeout(1500)  # the short clip loops again: still one report each
    assert sorted(p["postId"] for p in page.evaluate(played)) == sorted([short_one, long_one])
    assert page.problems == []


CHOICES = """async () => {
  const clips = await import('/static/js/clips.js');
  const seen = {};
  localStorage.setItem('skyframe.clip-sound', '{not json');
  seen.spoiled = clips.soundChoice();
  localStorage.setItem('skyframe.clip-sound', JSON.stringify({muted: false, volume: 7}));
  seen.loud = clips.soundChoice();
  seen.unset = clips.autoplayBlocker();
  clips.setAutoplay(false);
  seen.off = [clips.autoplaySetting(), clips.autoplayBlocker()];
  clips.setAutoplay(true);
  seen.on = clips.autoplayBlocker();
  localStorage.removeItem('skyframe.clip-autoplay');
  return seen;
}"""


def test_the_remembered_choices_read_safely_and_reduced_motion_waits_for_a_tap(phone, live_server):
    page = phone
    page.goto(live_server + "/offline")
    seen = page.evaluate(CHOICES)
    assert seen["spoiled"] == {"muted": True, "volume": 1}
    assert seen["loud"] == {"muted": False, "volume": 1}  # clamped
    assert seen["unset"] == ""
    assert seen["off"] == ["off", "setting"]
    assert seen["on"] == ""
    page.emulate_media(reduced_motion="reduce")
    seen = page.evaluate(CHOICES)
    assert seen["unset"] == "reduced-motion"
    assert seen["on"] == ""  # chosen on: the viewer's word wins


def test_the_post_page_plays_the_clip_and_its_volume_is_remembered_for_the_feed(
    phone, live_server, make_user, make_clip_post
):
    post_id = make_clip_post(make_user("halley"), title="Lunar eclipse", seconds=3.0)
    page = phone
    page.goto(live_server + f"/p/{post_id}")
    video = page.locator("video")
    expect(video).to_have_accessible_name("Lunar eclipse")
    page.wait_for_function(
        "() => { const v = document.querySelector('video'); return !v.paused && v.muted; }"
    )
    # The browser's own controls change the sound: kept for every clip.
    page.evaluate("() => { const v = document.querySelector('video'); v.volume = 0.3; }")
    page.wait_for_function(
        "() => JSON.parse(localStorage.getItem('skyframe.clip-sound') || '{}').volume === 0.3"
    )
    page.goto(live_server + "/")
    wait_playing(page, post_id, muted=True)
    assert page.evaluate(f"{VIDEO.replace('${id}', str(post_id))}.volume") == pytest.approx(0.3)
    assert page.problems == []
