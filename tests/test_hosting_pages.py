"""The hosting settings page (/settings/hosting): the switch, the list with
each target's status and last hosted time, and its forms without JavaScript."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from skyframe.extensions import db
from skyframe.models import HostingStatus, User, utcnow
from tests.conftest import login
from tests.hosting_helpers import add_target, qualify, status_of

pytestmark = pytest.mark.one_database
PAGE = "/settings/hosting"


@pytest.fixture
def host(app, make_user, client):
    users = [make_user("host"), make_user("vega"), make_user("deneb")]
    with app.app_context():
        for user in users:
            qualify(user.id)
    login(client, "host")
    return [user.id for user in users]


def test_the_page_needs_a_session(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_settings_link_to_the_page(client, host):
    assert f'href="{PAGE}"' in client.get("/settings").get_data(as_text=True)


def test_the_switch_is_off_by_default_and_the_list_empty(client, make_user):
    make_user("newcomer")
    login(client, "newcomer")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Other observers may host my channel" in page
    switch = re.search(r'<input[^>]*id="allow-hosting"[^>]*>', page).group(0)
    assert "checked" not in switch
    assert 'role="combobox"' in page
    assert 'role="listbox"' in page
    assert "Your hosting list is empty." in page
    assert "js/hosting-settings" in page


def test_the_list_shows_each_status_and_last_hosted_time(app, client, host):
    host_id, vega, deneb = host
    when = utcnow() - timedelta(hours=3)
    with app.app_context():
        add_target(host_id, vega, status=HostingStatus.HOSTING, last_hosted_at=when)
        add_target(host_id, deneb, status=HostingStatus.ERROR)
    page = client.get(PAGE).get_data(as_text=True)
    assert page.index("@vega") < page.index("@deneb")
    assert re.findall(r'data-role="status"[^>]*>(\w+)<', page) == ["hosting", "error"]
    assert f'last hosted <time datetime="{when.isoformat()}"' in page
    assert "never hosted" in page
    assert page.count('value="remove"') == 2


def test_the_forms_work_without_javascript(app, client, host):
    host_id, vega, _ = host
    response = client.post(PAGE, data={"action": "allow", "allow_hosting": "on"})
    assert (response.status_code, response.headers["Location"]) == (302, PAGE)
    with app.app_context():
        assert db.session.get(User, host_id).allow_hosting is True
    client.post(PAGE, data={"action": "allow"})  # an unchecked box sends nothing
    with app.app_context():
        assert db.session.get(User, host_id).allow_hosting is False

    page = client.post(PAGE, data={"action": "add", "handle": "@vega"}, follow_redirects=True)
    assert "Added @vega." in page.get_data(as_text=True)
    with app.app_context():
        assert status_of(host_id, vega) == HostingStatus.READY
    page = client.post(PAGE, data={"action": "add", "handle": "vega"}, follow_redirects=True)
    assert "Already on your list: @vega." in page.get_data(as_text=True)
    page = client.post(PAGE, data={"action": "remove", "handle": "vega"}, follow_redirects=True)
    assert "Removed @vega." in page.get_data(as_text=True)
    with app.app_context():
        assert status_of(host_id, vega) is None


def test_a_refusal_is_shown_with_its_rule(app, client, host):
    with app.app_context():
        user = db.session.query(User).filter_by(handle="vega").one()
        user.allow_hosting = False
        db.session.commit()
    page = client.post(PAGE, data={"action": "add", "handle": "vega"}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "@vega cannot be hosted. They do not allow others to host their channel." in text
    page = client.post(PAGE, data={"action": "add", "handle": "nobody"}, follow_redirects=True)
    assert "No such user." in page.get_data(as_text=True)


@pytest.mark.parametrize("data", [{"action": "dance"}, {"action": "add"}, {}])
def test_unknown_actions_are_400(client, host, data):
    assert client.post(PAGE, data=data).status_code == 400


def test_the_forms_need_their_csrf_token(client, host):
    assert client.post(PAGE, data={"action": "allow"}, csrf=False).status_code == 403


def test_a_host_that_does_not_qualify_yet_is_told_why(app, client, make_user):
    make_user("newcomer")
    login(client, "newcomer")
    page = client.get(PAGE).get_data(as_text=True)
    assert 'data-role="cannot-host"' in page
    assert "You need more hours live on your own channel before you can host." in page


def test_a_qualifying_host_sees_no_warning(client, host):
    assert 'data-role="cannot-host"' not in client.get(PAGE).get_data(as_text=True)
