"""Text people type: one rule (skyframe.text) refuses direction overrides and
zero-width spaces in every field, over the API and the HTML forms, and keeps
the joiners that Persian, Indic scripts and emoji need; pages render user
text with dir="auto"."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skyframe import text
from skyframe.extensions import db
from skyframe.models import Comment, Post, User
from tests.conftest import STRONG_PASSWORD, login

pytestmark = pytest.mark.one_database

FORBIDDEN = [
    *(chr(code) for code in range(0x202A, 0x202F)),
    *(chr(code) for code in range(0x2066, 0x206A)),
    "\u200b",
    "\u2060",
    "\ufeff",
]
# Persian with a ZWNJ (می‌خواهم), Devanagari with a ZWJ, an emoji family (ZWJ sequence).
JOINED = ["می\u200cخواهم", "क्\u200dष", "👨\u200d👩\u200d👧"]

POST_FIELDS = [
    "title",
    "object",
    "observer",
    "telescope",
    "camera",
    "mount",
    "filters",
    "gain",
    "notes",
    "tags",
]


def test_the_rule_names_the_forbidden_set_and_leaves_the_joiners():
    assert set(FORBIDDEN) == text.HIDDEN_FORMATTING
    assert len(FORBIDDEN) == 12
    for value in JOINED:
        assert text.text_problem(value) is None
    problem = text.text_problem("Andromeda \u202egpj.exe")
    assert "U+202E" in problem
    assert text.text_problem("bell\x07") == text.CONTROL_MESSAGE


@pytest.fixture
def vega(client, make_user):
    make_user("vega")
    login(client, "vega")
    return client


@pytest.fixture
def post_id(vega, make_post):
    with vega.application.app_context():
        owner = db.session.scalar(db.select(User).filter_by(handle="vega"))
    return make_post(owner, title="Andromeda", tags=["galaxy"])


def _value(field: str, char: str) -> str:
    # Tags take letters and digits: the character hides inside one.
    return f"m3{char}1" if field == "tags" else f"Andromeda {char}nebula"


@pytest.mark.parametrize("char", FORBIDDEN, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("field", POST_FIELDS)
def test_post_fields_refuse_hidden_formatting_over_the_api(vega, post_id, field, char):
    response = vega.patch(f"/api/v1/posts/{post_id}", json={field: _value(field, char)})
    assert response.status_code == 422
    problem = response.get_json()["error"]["fields"][field]
    assert f"U+{ord(char):04X}" in problem
    with vega.application.app_context():
        assert db.session.get(Post, post_id).title == "Andromeda"


@pytest.mark.parametrize("char", FORBIDDEN, ids=lambda c: f"U+{ord(c):04X}")
def test_comments_refuse_hidden_formatting_new_and_edited(vega, post_id, char):
    url = f"/api/v1/posts/{post_id}/comments"
    refused = vega.post(url, json={"body": f"Lovely {char}shot"})
    assert refused.status_code == 422
    assert f"U+{ord(char):04X}" in refused.get_json()["error"]["fields"]["body"]
    comment = vega.post(url, json={"body": "Lovely shot"}).get_json()
    edited = vega.patch(f"/api/v1/comments/{comment['id']}", json={"body": f"Lovely {char}"})
    assert edited.status_code == 422
    assert "body" in edited.get_json()["error"]["fields"]
    with vega.application.app_context():
        assert db.session.get(Comment, comment["id"]).body == "Lovely shot"


@pytest.mark.parametrize("char", FORBIDDEN, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("field", ["bio", "display_name"])
def test_profile_fields_refuse_hidden_formatting(vega, field, char):
    response = vega.patch("/api/v1/me", json={field: f"Vega {char}Lyrae"})
    assert response.status_code == 422
    assert f"U+{ord(char):04X}" in response.get_json()["error"]["fields"][field]


@given(sent=st.text(max_size=40), limit=st.integers(min_value=0, max_value=40))
def test_a_text_is_too_long_when_sent_or_kept_over_the_limit(sent, limit):
    kept = sent.strip()
    assert text.too_long(sent, kept, limit) == (len(sent) > limit)


# The API document's maxLength holds for the text as sent: padding a text
# past the limit with blank lines is refused, not trimmed into the limit.
PADDED_PAST_THE_LIMIT = [
    ("/api/v1/me", "bio", 300),
    ("/api/v1/me", "display_name", 50),
    ("post", "title", 120),
    ("post", "notes", 5000),
]


@pytest.mark.parametrize(("url", "field", "limit"), PADDED_PAST_THE_LIMIT)
def test_text_padded_past_its_limit_is_refused(vega, post_id, url, field, limit):
    url = f"/api/v1/posts/{post_id}" if url == "post" else url
    response = vega.patch(url, json={field: "Vega" + "\n" * limit})
    assert response.status_code == 422
    assert "at most" in response.get_json()["error"]["fields"][field].lower()
    assert vega.patch(url, json={field: "Vega" + "\n" * (limit - 4)}).status_code == 200


@pytest.mark.parametrize("char", FORBIDDEN, ids=lambda c: f"U+{ord(c):04X}")
def test_registration_refuses_hidden_formatting_in_the_display_name(client, char):
    response = client.post(
        "/api/v1/auth/register",
        json={
            "email": "lyra@example.org",
            "handle": "lyra",
            "display_name": f"Ly{char}ra",
            "password": STRONG_PASSWORD,
        },
    )
    assert response.status_code == 422
    assert "display_name" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("value", JOINED)
def test_joiners_are_kept_in_every_field(vega, post_id, value):
    fields = {name: value for name in POST_FIELDS if name != "tags"}
    response = vega.patch(f"/api/v1/posts/{post_id}", json=fields)
    assert response.status_code == 200, response.get_json()
    post = response.get_json()
    assert (post["title"], post["notes"], post["equipment"]["camera"]) == (value,) * 3
    comment = vega.post(f"/api/v1/posts/{post_id}/comments", json={"body": value})
    assert comment.status_code == 201
    assert comment.get_json()["body"] == value
    me = vega.patch("/api/v1/me", json={"bio": value, "display_name": value})
    assert me.status_code == 200, me.get_json()
    assert (me.get_json()["bio"], me.get_json()["display_name"]) == (value, value)


def test_the_edit_form_shows_the_message_at_the_field(vega, post_id):
    form = {"title": "Andromeda \u202eelif", "category": "deep-sky", "camera": "ASI\u200b2600"}
    page = vega.post(f"/p/{post_id}/edit", data=form)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "U+202E" in html
    assert "U+200B" in html
    assert html.count('class="invalid-feedback"') == 2


def test_the_settings_form_refuses_a_bio_with_an_override(vega):
    page = vega.post("/settings", data={"display_name": "Vega", "bio": "Hi \u2067there"})
    assert page.status_code == 422
    assert "U+2067" in page.get_data(as_text=True)
    with vega.application.app_context():
        assert db.session.scalar(db.select(User.bio).filter_by(handle="vega")) == ""


def test_the_comment_form_flashes_the_message(vega, post_id):
    answer = vega.post(f"/p/{post_id}/comments", data={"body": "Nice\ufeff"})
    assert answer.status_code == 302
    html = vega.get(f"/p/{post_id}").get_data(as_text=True)
    assert "U+FEFF" in html
    with vega.application.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Comment)) == 0


def test_pages_render_user_text_with_dir_auto(vega, post_id):
    vega.patch(f"/api/v1/posts/{post_id}", json={"notes": "نجوم", "camera": "ZWO"})
    vega.post(f"/api/v1/posts/{post_id}/comments", json={"body": "عالی"})
    vega.patch("/api/v1/me", json={"bio": "ستاره"})
    post_page = vega.get(f"/p/{post_id}").get_data(as_text=True)
    assert '<h1 class="h4 mb-1" dir="auto">Andromeda</h1>' in post_page
    assert '<div class="post-notes mb-3" dir="auto">نجوم</div>' in post_page
    assert '<p class="comment__body mb-1" dir="auto">عالی</p>' in post_page
    assert '<dd class="col-7" dir="auto">ZWO</dd>' in post_page
    assert '<p class="profile-bio" dir="auto">ستاره</p>' in vega.get("/u/vega").get_data(
        as_text=True
    )
    feed = vega.get("/").get_data(as_text=True)
    assert 'data-role="title" dir="auto"' in feed
    edit = vega.get(f"/p/{post_id}/edit").get_data(as_text=True)
    assert 'dir="auto"' in edit.split('id="notes"')[0].rsplit("<textarea", 1)[1]


@pytest.mark.parametrize("field", ["title", "body"])
def test_messages_of_the_day_follow_the_rule_too(app, field):
    from skyframe import motd
    from skyframe.exceptions import ValidationFailed
    from skyframe.models import utcnow

    values = {"title": "Maintenance", "body": "Back at ten.", field: "Back \u202eat ten"}
    with app.app_context(), pytest.raises(ValidationFailed) as refused:
        motd.add_motd(db.session, now=utcnow(), **values)
    assert "U+202E" in refused.value.fields[field]
