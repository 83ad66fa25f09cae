"""Account rules: handles, passwords, e-mail, Argon2id."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from hypothesis import given
from hypothesis import strategies as st

from skyframe.accounts import users
from skyframe.accounts.passwords import PasswordHashing, password_problems
from skyframe.exceptions import AuthenticationFailed, Conflict, ValidationFailed
from skyframe.extensions import db
from skyframe.models import User, utcnow
from skyframe.services import password_hashing
from tests.conftest import STRONG_PASSWORD


@pytest.mark.parametrize("handle", ["a", "Z", "_", "vega", "M31_fan", "x" * 24, "ABC_def_123"])
def test_valid_handles_are_accepted(handle):
    assert users.handle_problem(handle) is None


@pytest.mark.parametrize(
    "handle",
    [
        "",
        "x" * 25,
        "with space",
        "dash-ed",
        "dot.ted",
        "at@sign",
        "émile",  # non-ASCII letter
        "ｖｅｇａ",  # full-width letters
        "٣١",  # Arabic-Indic digits
        "user%",
        "tab\t",
        "new\nline",
        "vega\n",  # a trailing newline must not slip past the pattern
    ],
)
def test_invalid_handles_are_refused(handle):
    assert users.handle_problem(handle)


@given(st.text(max_size=40))
def test_handle_rule_matches_spec_for_any_text(handle):
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
    expected_ok = 1 <= len(handle) <= 24 and set(handle) <= allowed
    assert (users.handle_problem(handle) is None) == expected_ok


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("Sh0rt!", "at least 10 characters"),
        ("alllowercase1!", "an upper-case letter"),
        ("ALLUPPERCASE1!", "a lower-case letter"),
        ("NoDigitsHere!", "a digit"),
        ("NoSymbols1234", "a symbol"),
        ("Ab1!" + "x" * 300, "at most 256 characters"),
    ],
)
def test_password_policy_names_what_is_missing(password, missing):
    assert missing in password_problems(password)


@pytest.mark.parametrize(
    "password",
    [STRONG_PASSWORD, "Ünïcödé-Pässwörd-9", "Großer Bär 7§x", "ÀÉÎõü12345€"],
)
def test_password_policy_accepts_strong_passwords_in_any_script(password):
    assert password_problems(password) == []


def test_spaces_do_not_count_as_the_symbol():
    assert "a symbol" in password_problems("Correct Horse 9 Battery")


def test_email_is_normalised_and_validated():
    assert users.normalise_email("  Vega@Example.ORG ") == "Vega@example.org"
    for bad in ["", "not-an-address", "a@", "@b.org", "x" * 250 + "@example.org"]:
        with pytest.raises(ValueError):  # noqa: PT011
            users.normalise_email(bad)


def test_registration_reports_every_bad_field_at_once():
    with pytest.raises(ValidationFailed) as caught:
        users.validate_registration("nope", "bad handle", "   ", "short")
    assert set(caught.value.fields) == {"email", "handle", "display_name", "password"}


def test_display_name_is_trimmed_and_capped():
    assert users.clean_display_name("  Edwin   Hubble ") == "Edwin Hubble"
    with pytest.raises(ValueError):  # noqa: PT011
        users.clean_display_name("x" * 51)
    with pytest.raises(ValueError):  # noqa: PT011
        users.clean_display_name("bell\x07")


def test_handles_and_emails_are_unique_whatever_their_case(app, make_user):
    make_user("Vega", email="vega@example.org")
    with app.app_context():
        with pytest.raises(Conflict) as caught:
            users.register_user(
                db.session,
                password_hashing(),
                email="other@example.org",
                handle="VEGA",
                display_name="V",
                password=STRONG_PASSWORD,
            )
        assert "handle" in caught.value.fields
        with pytest.raises(Conflict) as caught:
            users.register_user(
                db.session,
                password_hashing(),
                email="VEGA@EXAMPLE.ORG",
                handle="vega2",
                display_name="V",
                password=STRONG_PASSWORD,
            )
        assert "email" in caught.value.fields


def test_database_enforces_case_insensitive_handles(app, make_user):
    """Even a write that skips the checks cannot create a case-variant handle."""
    from sqlalchemy.exc import IntegrityError

    make_user("Deneb")
    with app.app_context():
        db.session.add(
            User(email="x@example.org", handle="DENEB", display_name="x", password_hash="x")
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_passwords_are_stored_as_argon2id(app, make_user):
    user = make_user("altair")
    assert user.password_hash.startswith("$argon2id$")
    assert STRONG_PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    "login_name", ["altair", "ALTAIR", "altair@example.org", "Altair@Example.org"]
)
def test_login_by_handle_or_email_in_any_case(app, make_user, login_name):
    make_user("altair")
    with app.app_context():
        user = users.authenticate(
            db.session, password_hashing(), login_name, STRONG_PASSWORD, utcnow()
        )
        assert user.handle == "altair"
        assert user.last_login is not None


def test_unknown_user_and_wrong_password_fail_identically_after_one_hash(
    app, make_user, monkeypatch
):
    make_user("altair")
    calls = []
    real_verify = PasswordHasher.verify

    def counting_verify(self, hash_, password):
        calls.append(hash_)
        return real_verify(self, hash_, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    messages = []
    with app.app_context():
        for login_name, password in [("nobody", STRONG_PASSWORD), ("altair", "Wrong-pass-123")]:
            calls.clear()
            with pytest.raises(AuthenticationFailed) as caught:
                users.authenticate(db.session, password_hashing(), login_name, password, utcnow())
            assert len(calls) == 1, f"{login_name}: hashed {len(calls)} times"
            messages.append(caught.value.message)
    assert messages[0] == messages[1] == users.LOGIN_FAILED_MESSAGE


def test_disabled_account_fails_like_a_wrong_password(app, make_user):
    make_user("mira", disabled=True)
    with app.app_context(), pytest.raises(AuthenticationFailed) as caught:
        users.authenticate(db.session, password_hashing(), "mira", STRONG_PASSWORD, utcnow())
    assert caught.value.message == users.LOGIN_FAILED_MESSAGE


def test_hash_is_upgraded_on_login_when_parameters_change(app_factory, make_user):
    old_app = app_factory()
    make_user("rigel")  # hashed with the testing parameters (t=1)
    stronger = app_factory(ARGON2_TIME_COST=2)
    with stronger.app_context():
        user = users.authenticate(
            db.session, password_hashing(), "rigel", STRONG_PASSWORD, utcnow()
        )
        db.session.commit()
        assert ",t=2," in user.password_hash or "t=2" in user.password_hash.split("$")[3]
        assert not password_hashing()._hasher.check_needs_rehash(user.password_hash)
    with old_app.app_context():  # the new hash still verifies the same password
        assert users.authenticate(
            db.session, password_hashing(), "rigel", STRONG_PASSWORD, utcnow()
        )


def test_verification_of_a_corrupt_hash_is_a_failure_not_a_crash():
    hashing = PasswordHashing(time_cost=1, memory_cost=1024, parallelism=1)
    assert hashing.verify("not-a-hash", "whatever").ok is False


def test_user_listing_filters_are_checked(app):
    with app.app_context(), pytest.raises(ValidationFailed) as caught:
        users.list_users(db.session, "emperor", state="asleep", limit=0, search="a\x00")
    assert set(caught.value.fields) == {"role", "state", "limit", "search"}


def test_user_search_takes_like_wildcards_literally(app, make_user):
    make_user("a_b", email="percent@example.org")
    make_user("axb", email="plain@example.org")
    with app.app_context():

        def found(text):
            return [u.handle for u in users.list_users(db.session, search=text)]

        assert found("a_b") == ["a_b"]
        assert found("%") == []
        assert found("\\") == []
        assert found("PERCENT@EXAMPLE") == ["a_b"]
        assert found("") == ["a_b", "axb"]


def test_disabling_reports_the_sessions_it_ended(app, make_user):
    from skyframe.accounts import login_sessions

    user = make_user("vega")
    with app.app_context():
        stored = db.session.get(User, user.id)
        for _ in range(2):
            login_sessions.start(
                db.session, stored, remember=False, lifetime=timedelta(hours=1), now=utcnow()
            )
        db.session.commit()
        assert users.set_disabled(db.session, stored, True) == 2
        assert users.set_disabled(db.session, stored, True) == 0
        assert users.set_disabled(db.session, stored, False) == 0
        db.session.commit()
