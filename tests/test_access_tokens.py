"""Personal access tokens in the domain (skyframe.accounts.tokens): made with
a clean name and known scopes, at most ACCESS_TOKENS_PER_USER live ones, the
secret kept only as its SHA-256, revoked for good, authenticating only in
scope and only for an account that may act, "last used" kept to the minute."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from skyframe.accounts import tokens
from skyframe.exceptions import NotFound, ValidationFailed
from skyframe.extensions import db
from skyframe.models import AccessToken, User, utcnow


@pytest.fixture
def vega(app, make_user):
    made = make_user("vega")
    with app.app_context():
        yield db.session.get(User, made.id)


def make(user, name="SharpCap laptop", scopes=("live",), limit=20, now=None):
    made = tokens.create_token(
        db.session, user, name=name, scopes=scopes, limit=limit, now=now or utcnow()
    )
    db.session.commit()
    return made


def test_the_secret_is_long_random_and_kept_only_as_its_hash(vega):
    made = make(vega)
    assert made.secret.startswith("sf_pat_")
    # 32 random bytes in URL-safe base64 are 43 characters.
    assert len(made.secret) >= len("sf_pat_") + 43
    assert make(vega).secret != made.secret
    row = db.session.execute(
        select(AccessToken.__table__).where(AccessToken.id == made.token.id)
    ).one()
    assert row.secret_hash == hashlib.sha256(made.secret.encode()).hexdigest()
    assert made.secret not in [str(value) for value in row]
    assert made.secret[len("sf_pat_") :] not in row.secret_hash


def test_names_follow_the_text_rules(vega):
    assert make(vega, name="  Ekos \n on the Pi ").token.name == "Ekos on the Pi"
    for bad, says in [
        ("", "Name the token"),
        ("   ", "Name the token"),
        ("x" * 61, "under 60"),
        ("Sharp\u202eCap", "invisible"),
        ("Sharp\x07Cap", "control"),
    ]:
        with pytest.raises(ValidationFailed) as caught:
            make(vega, name=bad)
        assert says in caught.value.fields["name"]
    assert tokens.count_tokens(db.session, vega) == 1


def test_scopes_are_a_non_empty_set_of_known_ones(vega):
    assert tokens.scopes_of(make(vega, scopes=["live", "live"]).token) == ["live"]
    for bad in ([], ["admin"], ["live", "posts"]):
        with pytest.raises(ValidationFailed) as caught:
            make(vega, scopes=bad)
        assert "scopes" in caught.value.fields


def test_at_most_the_limit_of_unrevoked_tokens(vega):
    first = make(vega, limit=2)
    make(vega, limit=2)
    with pytest.raises(tokens.TokenLimitReached) as caught:
        make(vega, limit=2)
    assert caught.value.status == 409
    db.session.rollback()
    tokens.revoke_token(db.session, vega, first.token.id, utcnow())
    db.session.commit()
    make(vega, limit=2)
    assert tokens.count_tokens(db.session, vega) == 2


def test_listing_shows_unrevoked_tokens_newest_first(vega, make_user):
    now = utcnow()
    old = make(vega, name="old", now=now - timedelta(days=2))
    new = make(vega, name="new", now=now)
    gone = make(vega, name="gone", now=now - timedelta(days=1))
    tokens.revoke_token(db.session, vega, gone.token.id, now)
    db.session.commit()
    mira = db.session.get(User, make_user("mira").id)
    make(mira, name="theirs")
    assert [t.name for t in tokens.list_tokens(db.session, vega)] == ["new", "old"]
    assert {old.token.id, new.token.id} == {t.id for t in tokens.list_tokens(db.session, vega)}


def test_revoking_is_for_the_owner_and_happens_once(vega, make_user):
    made = make(vega)
    mira = db.session.get(User, make_user("mira").id)
    with pytest.raises(NotFound):
        tokens.revoke_token(db.session, mira, made.token.id, utcnow())
    with pytest.raises(NotFound):
        tokens.revoke_token(db.session, vega, made.token.id + 1000, utcnow())
    tokens.revoke_token(db.session, vega, made.token.id, utcnow())
    db.session.commit()
    with pytest.raises(NotFound):
        tokens.revoke_token(db.session, vega, made.token.id, utcnow())
    assert db.session.get(AccessToken, made.token.id).revoked_at is not None


def test_a_token_authenticates_in_scope_until_revoked(vega):
    made = make(vega)
    token, user = tokens.authenticate(db.session, made.secret, "live", utcnow())
    assert (token.id, user.id) == (made.token.id, vega.id)
    with pytest.raises(tokens.InvalidToken, match="scope"):
        tokens.authenticate(db.session, made.secret, "posts", utcnow())
    tokens.revoke_token(db.session, vega, made.token.id, utcnow())
    db.session.commit()
    with pytest.raises(tokens.InvalidToken) as caught:
        tokens.authenticate(db.session, made.secret, "live", utcnow())
    assert caught.value.status == 401
    assert caught.value.code == "invalid_token"


@pytest.mark.parametrize(
    "secret",
    ["", "sf_pat_", "sf_pat_nope", "not-a-token", "sf_pat_" + "x" * 500, "sf_pat_\x00"],
)
def test_unknown_secrets_do_not_authenticate(vega, secret):
    make(vega)
    with pytest.raises(tokens.InvalidToken):
        tokens.authenticate(db.session, secret, "live", utcnow())


def test_a_token_of_an_account_that_may_not_act_does_not_authenticate(vega):
    made = make(vega)
    now = utcnow()
    for change, undo in [
        (("disabled", True), ("disabled", False)),
        (("deleted_at", now), ("deleted_at", None)),
        (("suspended_at", now), ("suspended_at", None)),
        (("strike_suspended", True), ("strike_suspended", False)),
    ]:
        setattr(vega, *change)
        db.session.commit()
        with pytest.raises(tokens.InvalidToken):
            tokens.authenticate(db.session, made.secret, "live", now)
        setattr(vega, *undo)
        db.session.commit()
        tokens.authenticate(db.session, made.secret, "live", now)
    # A suspension that has run out no longer stops the token.
    vega.suspended_at, vega.suspended_until = now - timedelta(days=2), now - timedelta(days=1)
    db.session.commit()
    tokens.authenticate(db.session, made.secret, "live", now)


def test_last_use_is_written_at_most_once_a_minute(vega):
    made = make(vega)
    start = utcnow()

    def last_used():
        db.session.expire_all()
        return db.session.get(AccessToken, made.token.id).last_used_at

    assert last_used() is None
    engine = db.engine
    tokens.authenticate(db.session, made.secret, "live", start, touch_engine=engine)
    assert last_used() == start
    tokens.authenticate(
        db.session, made.secret, "live", start + timedelta(seconds=59), touch_engine=engine
    )
    assert last_used() == start
    # The request's own commit writes nothing more.
    db.session.commit()
    assert last_used() == start
    later = start + timedelta(seconds=61)
    tokens.authenticate(db.session, made.secret, "live", later, touch_engine=engine)
    assert last_used() == later
