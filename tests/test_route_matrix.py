"""Who is refused and who is let through, for every route (each rule of the
URL map × each of its methods, but static files, HEAD and OPTIONS) and every
actor: a visitor, a user, the target's owner, a moderator, a manager, a
suspended user, a disabled one, and a manager outside ADMIN_ALLOWED_NETWORKS
(the app allows only loopback; that client comes from 198.51.100.7), who is
answered 404 on every /admin and /api/v1/admin route and is a manager
everywhere else (``expected``).

Adding a route: one line in ROUTES, keyed by (method, rule) as the URL map
spells it, naming the rule that says who gets in, e.g.

    ("POST", "/api/v1/reports"): Row(GOOD_STANDING, json=lambda t: {...}),

``Row(rule, values=..., json=..., form=..., query=..., ends_session=...)``:
``rule`` maps each actor to an outcome (OK: let through, LOGIN: 401 or the
login page, DENY: 403, HIDE: 404); ``values`` fills the URL's variables (by
default ``post_id`` and ``comment_id`` are a ready post of the owner's and
the owner's comment on it, new for every write, and ``handle`` is the
owner's); every request sends the actor's CSRF header, and a write the body
given, which needs only to be valid enough to reach the authorization check
(the outcome is "let through or not", not the status of success: a 409 or a
422 is let through). A route with no row fails ``test_every_route_has_a_row``
naming it, and so does a row naming no route.

A disabled actor signed in while active and was disabled afterwards: the
login loader (accounts.login_sessions.resolve) answers no user for such a
session, so disabled behaves as a visitor. Everything runs on one app and
one signed-in client per actor, on SQLite only: the rules are Python's, the
same on PostgreSQL, and a run there takes three times as long (45 s against
15 s here) with the same outcomes (SKYFRAME_MATRIX_POSTGRES=1 runs it there
too when SKYFRAME_TEST_POSTGRES_URL is set).
"""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from skyframe.accounts import password_reset, users
from skyframe.extensions import db
from skyframe.models import (
    Appeal,
    Collection,
    CollectionItem,
    Comment,
    Post,
    PostStatus,
    Report,
    Role,
    Strike,
    TakeDown,
    User,
    utcnow,
)
from skyframe.models.live import LiveFrame, LiveSession
from skyframe.services import password_hashing
from skyframe.support import tickets
from skyframe.web.admin_networks import is_admin_path
from tests import media_samples as samples
from tests.conftest import (
    POSTGRES_ADMIN_URL,
    STRONG_PASSWORD,
    build_app,
    empty_all_tables,
    login,
    migrate_to_head,
    throwaway_database,
)

ACTORS = ("anonymous", "user", "owner", "moderator", "manager", "suspended", "disabled")
OUTSIDE = "manager outside the allowed networks"
HANDLES = {
    "user": "mira",
    "owner": "vega",
    "moderator": "mod",
    "manager": "boss",
    "suspended": "hush",
    "disabled": "gone",
    OUTSIDE: "far",
}
# The staff area answers only loopback here; OUTSIDE's client is elsewhere.
ALLOWED_NETWORKS = "127.0.0.0/8,::1/128"
OUTSIDE_ADDRESS = "198.51.100.7"

OK, LOGIN, DENY, HIDE = "let through", "login", "403", "404"


def rule(default: str, **actors: str) -> dict[str, str]:
    return {actor: actors.get(actor, default) for actor in ACTORS}


def expected(rule_text: str, row: Row, actor: str) -> str:
    """The row's outcome for ``actor``; outside the networks a manager finds
    no staff route at all."""
    if actor == OUTSIDE:
        return HIDE if is_admin_path(rule_text) else row.rule["manager"]
    return row.rule[actor]


# Who gets in.
PUBLIC = rule(OK)
SIGNED_IN = rule(OK, anonymous=LOGIN, disabled=LOGIN)
# Posting and commenting (policy.require_in_good_standing: suspended gets 403).
GOOD_STANDING = rule(OK, anonymous=LOGIN, disabled=LOGIN, suspended=DENY)
OWNER_OR_STAFF = rule(DENY, anonymous=LOGIN, disabled=LOGIN, owner=OK, moderator=OK, manager=OK)
AUTHOR_ONLY = rule(DENY, anonymous=LOGIN, disabled=LOGIN, owner=OK)
MANAGER = rule(DENY, anonymous=LOGIN, disabled=LOGIN, manager=OK)
# The staff area answers 404 to all but staff; inside, a manager's page is 403 to a moderator.
STAFF = rule(DENY, anonymous=LOGIN, disabled=LOGIN, moderator=OK, manager=OK)
STAFF_AREA = rule(HIDE, moderator=OK, manager=OK)
STAFF_AREA_MANAGER = rule(HIDE, moderator=DENY, manager=OK)
# Signed in, then the id in the URL is not theirs (another's session id): 404.
SIGNED_IN_NOT_THEIRS = rule(HIDE, anonymous=LOGIN, disabled=LOGIN)
# A live session's owner alone sends it frames; anyone else finds no such session.
SESSION_OWNER = rule(HIDE, anonymous=LOGIN, disabled=LOGIN, owner=OK)
SESSION_OWNER_OR_STAFF = rule(
    HIDE, anonymous=LOGIN, disabled=LOGIN, owner=OK, moderator=OK, manager=OK
)
# The owner's side of a ticket (the owner's): anyone else's is 404, staff's too.
TICKET_OWNER = rule(HIDE, anonymous=LOGIN, disabled=LOGIN, owner=OK)
# Appealing a decision about the owner: everyone else is answered 404 (not theirs to know of).
APPELLANT = rule(HIDE, anonymous=LOGIN, disabled=LOGIN, owner=OK)

Body = Callable[["Targets"], Any]


@dataclass(frozen=True)
class Row:
    rule: dict[str, str]
    values: Callable[[Targets], dict[str, Any]] | None = None
    json: Body | None = None
    form: Body | None = None
    query: str = ""
    # The request ends or replaces the actor's session: sign in again after it.
    ends_session: bool = False
    multipart: bool = False


counter = itertools.count(1)


def fresh_handle(_t) -> dict:
    n = next(counter)
    return {
        "email": f"new{n}@example.org",
        "handle": f"new{n}",
        "display_name": "New",
        "password": STRONG_PASSWORD,
    }


def upload_form(_t) -> dict:
    return {"title": "x", "category": "deep-sky", "file": (io.BytesIO(b"not an image"), "a.jpg")}


def on_shared(t: Targets) -> dict:
    """A ready post with real files (for /media and downloads)."""
    return {"post_id": t.shared_post, "key": t.shared_key}


def a_ticket(t: Targets) -> dict:
    """A new open ticket of the owner's."""
    return {"ticket_id": t.new_ticket()}


def a_stranger(t: Targets) -> dict:
    """A new account for actions on a user (block, suspend, delete), so that
    they change nobody the other rows act as or on."""
    return {"handle": t.new_user()}


R = Row
ROUTES: dict[tuple[str, str], Row] = {
    # -- pages --------------------------------------------------------------
    ("GET", "/"): R(PUBLIC),
    ("GET", "/api/docs"): R(PUBLIC),
    ("GET", "/following"): R(SIGNED_IN),
    ("GET", "/healthz"): R(PUBLIC),
    ("GET", "/readyz"): R(PUBLIC),
    ("GET", "/manifest.webmanifest"): R(PUBLIC),
    ("GET", "/sw.js"): R(PUBLIC),
    ("GET", "/offline"): R(PUBLIC),
    ("GET", "/search"): R(PUBLIC),
    ("GET", "/o/<catalogue_id>"): R(PUBLIC, values=lambda t: {"catalogue_id": "NGC0224"}),
    ("GET", "/t/<tag>"): R(PUBLIC, values=lambda t: {"tag": "nebula"}),
    ("GET", "/media/<path:key>"): R(PUBLIC, values=on_shared),
    ("GET", "/p/<int:post_id>"): R(PUBLIC),
    ("GET", "/p/<int:post_id>/download"): R(PUBLIC, values=on_shared),
    ("GET", "/p/<int:post_id>/edit"): R(OWNER_OR_STAFF),
    ("POST", "/p/<int:post_id>/edit"): R(OWNER_OR_STAFF, form=lambda t: {"title": "New title"}),
    ("POST", "/p/<int:post_id>/delete"): R(OWNER_OR_STAFF),
    ("POST", "/p/<int:post_id>/like"): R(SIGNED_IN),
    ("POST", "/p/<int:post_id>/save"): R(SIGNED_IN),
    # The form sends a suspended account back to the post with the reason; the
    # comment is not added (tests/test_suspensions.py).
    ("POST", "/p/<int:post_id>/comments"): R(SIGNED_IN, form=lambda t: {"body": "Nice"}),
    ("POST", "/comments/<int:comment_id>/delete"): R(OWNER_OR_STAFF),
    ("GET", "/upload"): R(SIGNED_IN),
    ("POST", "/upload"): R(GOOD_STANDING, form=upload_form, multipart=True),
    ("GET", "/saved"): R(SIGNED_IN),
    ("GET", "/notifications"): R(SIGNED_IN),
    ("POST", "/notifications/read"): R(SIGNED_IN),
    ("GET", "/u/<handle>"): R(PUBLIC),
    ("GET", "/u/<handle>/avatar"): R(PUBLIC),
    ("POST", "/u/<handle>/follow"): R(SIGNED_IN),
    ("GET", "/settings"): R(SIGNED_IN),
    ("POST", "/settings"): R(SIGNED_IN, form=lambda t: {"display_name": "Same"}, multipart=True),
    ("GET", "/settings/password"): R(SIGNED_IN),
    ("POST", "/settings/password"): R(SIGNED_IN, form=lambda t: {"current_password": "x"}),
    ("GET", "/settings/sessions"): R(SIGNED_IN),
    ("POST", "/settings/sessions/<session_id>/revoke"): R(
        SIGNED_IN_NOT_THEIRS, values=lambda t: {"session_id": "unknown"}
    ),
    ("POST", "/settings/sessions/revoke-others"): R(SIGNED_IN),
    # -- sign-in pages: anyone (signed-in visitors are sent on) -------------------
    ("GET", "/login"): R(PUBLIC),
    ("POST", "/login"): R(
        PUBLIC, form=lambda t: {"login": "spare", "password": STRONG_PASSWORD}, ends_session=True
    ),
    ("GET", "/register"): R(PUBLIC),
    ("POST", "/register"): R(PUBLIC, form=lambda t: {"handle": "!"}),
    ("POST", "/logout"): R(PUBLIC, ends_session=True),
    ("GET", "/forgot-password"): R(PUBLIC),
    ("POST", "/forgot-password"): R(PUBLIC, form=lambda t: {"email": "x@example.org"}),
    ("GET", "/reset-password/<token>"): R(PUBLIC, values=lambda t: {"token": t.reset_token}),
    ("POST", "/reset-password/<token>"): R(
        PUBLIC, values=lambda t: {"token": t.reset_token}, form=lambda t: {"new_password": "x"}
    ),
    # -- the staff area -------------------------------------------------------
    ("GET", "/admin/"): R(STAFF_AREA),
    ("GET", "/admin/posts"): R(STAFF_AREA, query="id=1"),
    ("GET", "/admin/posts/<int:post_id>"): R(STAFF_AREA),
    ("POST", "/admin/posts/<int:post_id>/take-down"): R(
        STAFF_AREA, form=lambda t: {"reason": "Spam."}
    ),
    # Not taken down: a manager is let through to "not taken down" (409).
    ("POST", "/admin/posts/<int:post_id>/restore"): R(STAFF_AREA_MANAGER),
    ("POST", "/admin/posts/<int:post_id>/labels"): R(
        STAFF_AREA, form=lambda t: {"labels": ["flashing"]}
    ),
    ("GET", "/admin/audit"): R(STAFF_AREA_MANAGER),
    # A new open report each: a decision without a choice is let through to its 422.
    ("GET", "/admin/reports"): R(STAFF_AREA),
    ("POST", "/admin/reports/<int:report_id>/resolve"): R(
        STAFF_AREA, values=lambda t: {"report_id": t.new_report()}
    ),
    ("GET", "/admin/users"): R(STAFF_AREA, query="q=ve"),
    ("GET", "/admin/users/<handle>"): R(STAFF_AREA),
    ("POST", "/admin/users/<handle>/role"): R(
        STAFF_AREA_MANAGER, values=a_stranger, form=lambda t: {"role": "user"}
    ),
    ("POST", "/admin/users/<handle>/suspend"): R(
        STAFF_AREA, values=a_stranger, form=lambda t: {"reason": "Cool off."}
    ),
    # Not suspended: staff are let through to "not suspended" (409).
    ("POST", "/admin/users/<handle>/unsuspend"): R(STAFF_AREA, values=a_stranger),
    ("POST", "/admin/users/<handle>/disable"): R(STAFF_AREA_MANAGER, values=a_stranger),
    ("POST", "/admin/users/<handle>/enable"): R(STAFF_AREA_MANAGER, values=a_stranger),
    # The wrong confirmation: a manager is let through to its 422, nobody deleted.
    ("POST", "/admin/users/<handle>/delete"): R(
        STAFF_AREA_MANAGER, values=a_stranger, form=lambda t: {"confirm": "not them"}
    ),
    ("GET", "/admin/tickets"): R(STAFF_AREA, query="view=all"),
    ("GET", "/admin/tickets/<int:ticket_id>"): R(STAFF_AREA, values=a_ticket),
    ("POST", "/admin/tickets/<int:ticket_id>/assign"): R(STAFF_AREA, values=a_ticket),
    # Unassigned: staff are let through to "assign it first" (409).
    ("POST", "/admin/tickets/<int:ticket_id>/reply"): R(
        STAFF_AREA, values=a_ticket, form=lambda t: {"text": "Hello."}
    ),
    ("POST", "/admin/tickets/<int:ticket_id>/escalate"): R(
        STAFF_AREA, values=a_ticket, form=lambda t: {"note": "Managers."}
    ),
    ("POST", "/admin/tickets/<int:ticket_id>/close"): R(STAFF_AREA, values=a_ticket),
    # -- support: suspended accounts ask for help too ---------------------------------
    ("GET", "/support"): R(SIGNED_IN),
    ("POST", "/support"): R(SIGNED_IN, form=lambda t: {"title": "Help", "text": "Please."}),
    ("GET", "/support/tickets/<int:ticket_id>"): R(TICKET_OWNER, values=a_ticket),
    ("POST", "/support/tickets/<int:ticket_id>/reply"): R(
        TICKET_OWNER, values=a_ticket, form=lambda t: {"text": "More."}
    ),
    ("POST", "/support/tickets/<int:ticket_id>/close"): R(TICKET_OWNER, values=a_ticket),
    ("GET", "/admin/appeals"): R(STAFF_AREA_MANAGER),
    ("GET", "/admin/appeals/<int:appeal_id>"): R(
        STAFF_AREA_MANAGER, values=lambda t: {"appeal_id": t.new_appeal()}
    ),
    ("POST", "/admin/appeals/<int:appeal_id>/decision"): R(
        STAFF_AREA_MANAGER,
        values=lambda t: {"appeal_id": t.new_appeal()},
        form=lambda t: {"decision": "uphold", "note": "It stands."},
    ),
    # -- moderation and safety pages --------------------------------------------
    ("GET", "/settings/standing"): R(SIGNED_IN),
    # No text: the owner is let through to the form's 422, nothing appealed.
    ("POST", "/settings/standing/appeal/<target_type>/<int:target_id>"): R(
        APPELLANT, values=lambda t: {"target_type": "take_down", "target_id": t.new_take_down()}
    ),
    ("GET", "/settings/blocks"): R(SIGNED_IN),
    ("GET", "/settings/delete"): R(SIGNED_IN),
    # A wrong password: let through to the form's error, nobody deleted.
    ("POST", "/settings/delete"): R(SIGNED_IN, form=lambda t: {"password": "not it"}),
    ("POST", "/u/<handle>/block"): R(
        SIGNED_IN, values=a_stranger, form=lambda t: {"action": "block"}
    ),
    # -- JSON API -------------------------------------------------------------
    ("GET", "/api/v1/openapi.json"): R(PUBLIC),
    ("GET", "/api/v1/auth/csrf"): R(PUBLIC),
    ("POST", "/api/v1/auth/login"): R(
        PUBLIC, json=lambda t: {"login": "spare", "password": STRONG_PASSWORD}, ends_session=True
    ),
    ("POST", "/api/v1/auth/register"): R(PUBLIC, json=fresh_handle, ends_session=True),
    ("POST", "/api/v1/auth/logout"): R(PUBLIC, ends_session=True),
    ("POST", "/api/v1/auth/password-reset"): R(PUBLIC, json=lambda t: {"email": "x@example.org"}),
    ("POST", "/api/v1/auth/password-reset/confirm"): R(
        PUBLIC, json=lambda t: {"token": "unknown", "new_password": STRONG_PASSWORD}
    ),
    ("GET", "/api/v1/catalogue/suggest"): R(PUBLIC, query="q=M3"),
    ("GET", "/api/v1/feed"): R(PUBLIC),
    ("GET", "/api/v1/feed/following"): R(SIGNED_IN),
    ("POST", "/api/v1/feed/seen"): R(SIGNED_IN, json=lambda t: {"post_ids": [t.post]}),
    # Visitors too: their views count (docs/views.md).
    ("POST", "/api/v1/views"): R(
        PUBLIC, json=lambda t: {"views": [{"post_id": t.post, "seconds": 3}]}
    ),
    ("GET", "/api/v1/search"): R(PUBLIC, query="q=nebula"),
    ("GET", "/api/v1/users/suggest"): R(PUBLIC, query="q=ve"),
    ("POST", "/api/v1/users/<handle>/follow"): R(SIGNED_IN),
    ("DELETE", "/api/v1/users/<handle>/follow"): R(SIGNED_IN),
    # -- live sessions (tests/test_live_api.py) -----------------------------------
    # Already live (the owner) or not: a start is let through to 201 or 409.
    ("POST", "/api/v1/live"): R(GOOD_STANDING, json=lambda t: {"title": "Orion"}),
    ("GET", "/api/v1/live/<int:session_id>"): R(PUBLIC, values=lambda t: t.live_values()),
    ("POST", "/api/v1/live/<int:session_id>/end"): R(
        OWNER_OR_STAFF, values=lambda t: {"session_id": t.new_session()}
    ),
    ("GET", "/api/v1/users/<handle>/live"): R(PUBLIC, values=lambda t: t.live_owner()),
    # An ended session with nothing to replay: 204 at once (a live one would stream).
    ("GET", "/api/v1/live/<int:session_id>/events"): R(
        PUBLIC, values=lambda t: {"session_id": t.ended_session()}
    ),
    ("GET", "/api/v1/live/<int:session_id>/frames"): R(PUBLIC, values=lambda t: t.live_values()),
    # Not an image: the owner is let through to its 422; anyone else finds no session.
    ("POST", "/api/v1/live/<int:session_id>/frames"): R(
        SESSION_OWNER,
        values=lambda t: {"session_id": t.new_session()},
        form=upload_form,
        multipart=True,
    ),
    ("POST", "/api/v1/live/<int:session_id>/frames/<int:frame_id>/publish"): R(
        SESSION_OWNER, values=lambda t: t.live_values(), json=lambda t: {"category": "other"}
    ),
    ("POST", "/api/v1/admin/live/frames/<int:frame_id>/take-down"): R(
        STAFF, values=lambda t: {"frame_id": t.new_frame()}, json=lambda t: {"reason": "No."}
    ),
    ("GET", "/live/<handle>"): R(PUBLIC),
    # No title: let through to the form's message (suspended: the reason), nothing started.
    ("POST", "/live"): R(SIGNED_IN),
    ("POST", "/live/sessions/<int:session_id>/end"): R(
        SESSION_OWNER_OR_STAFF, values=lambda t: {"session_id": t.new_session()}
    ),
    ("GET", "/live-media/<media_key>/<name>"): R(
        PUBLIC, values=lambda t: {"media_key": t.shared_frame_key, "name": "display.jpg"}
    ),
    ("GET", "/api/v1/me"): R(SIGNED_IN),
    ("PATCH", "/api/v1/me"): R(SIGNED_IN, json=lambda t: {"bio": "Hello"}),
    ("POST", "/api/v1/me/avatar"): R(SIGNED_IN, form=lambda t: {}, multipart=True),
    ("DELETE", "/api/v1/me/avatar"): R(SIGNED_IN),
    ("GET", "/api/v1/me/favorites"): R(SIGNED_IN),
    ("POST", "/api/v1/me/password"): R(
        SIGNED_IN, json=lambda t: {"current_password": STRONG_PASSWORD, "new_password": "weak"}
    ),
    ("GET", "/api/v1/me/sessions"): R(SIGNED_IN),
    ("DELETE", "/api/v1/me/sessions/<session_id>"): R(
        SIGNED_IN_NOT_THEIRS, values=lambda t: {"session_id": "unknown"}
    ),
    ("POST", "/api/v1/me/sessions/revoke-others"): R(SIGNED_IN),
    ("GET", "/api/v1/motd"): R(SIGNED_IN),
    ("POST", "/api/v1/motd/<int:motd_id>/ack"): R(
        SIGNED_IN_NOT_THEIRS, values=lambda t: {"motd_id": 999}
    ),
    ("GET", "/api/v1/notifications"): R(SIGNED_IN),
    ("POST", "/api/v1/notifications/read"): R(SIGNED_IN, json=lambda t: {}),
    ("POST", "/api/v1/posts"): R(GOOD_STANDING, form=upload_form, multipart=True),
    ("GET", "/api/v1/posts/<int:post_id>"): R(PUBLIC),
    ("PATCH", "/api/v1/posts/<int:post_id>"): R(OWNER_OR_STAFF, json=lambda t: {"title": "New"}),
    ("DELETE", "/api/v1/posts/<int:post_id>"): R(OWNER_OR_STAFF),
    ("GET", "/api/v1/posts/<int:post_id>/comments"): R(PUBLIC),
    ("POST", "/api/v1/posts/<int:post_id>/comments"): R(
        GOOD_STANDING, json=lambda t: {"body": "Hi"}
    ),
    ("GET", "/api/v1/posts/<int:post_id>/related"): R(PUBLIC),
    ("POST", "/api/v1/posts/<int:post_id>/like"): R(SIGNED_IN),
    ("DELETE", "/api/v1/posts/<int:post_id>/like"): R(SIGNED_IN),
    ("POST", "/api/v1/posts/<int:post_id>/favorite"): R(SIGNED_IN),
    ("DELETE", "/api/v1/posts/<int:post_id>/favorite"): R(SIGNED_IN),
    ("PATCH", "/api/v1/comments/<int:comment_id>"): R(AUTHOR_ONLY, json=lambda t: {"body": "Edit"}),
    ("DELETE", "/api/v1/comments/<int:comment_id>"): R(OWNER_OR_STAFF),
    ("POST", "/api/v1/comments/<int:comment_id>/like"): R(SIGNED_IN),
    ("DELETE", "/api/v1/comments/<int:comment_id>/like"): R(SIGNED_IN),
    ("GET", "/api/v1/admin/audit"): R(MANAGER),
    # -- moderation and safety -------------------------------------------------------
    # Anyone signed in reports, suspended accounts too (the owner's own post: 422).
    ("POST", "/api/v1/reports"): R(
        SIGNED_IN, json=lambda t: {"target_type": "post", "target_id": t.post, "reason": "spam"}
    ),
    ("GET", "/api/v1/admin/reports"): R(STAFF),
    ("POST", "/api/v1/admin/reports/<int:report_id>/resolve"): R(
        STAFF,
        values=lambda t: {"report_id": t.new_report()},
        json=lambda t: {"decision": "dismiss", "note": "Fine."},
    ),
    # A stranger's post: the owner must not collect strikes from this row.
    ("POST", "/api/v1/admin/posts/<int:post_id>/take-down"): R(
        STAFF,
        values=lambda t: {"post_id": t.new_post(owner=t.new_user())},
        json=lambda t: {"reason": "Spam."},
    ),
    # Not taken down: a manager is let through to "not taken down" (409).
    ("POST", "/api/v1/admin/posts/<int:post_id>/restore"): R(MANAGER, json=lambda t: {"note": ""}),
    ("PUT", "/api/v1/admin/posts/<int:post_id>/labels"): R(
        STAFF, json=lambda t: {"labels": ["flashing"]}
    ),
    ("POST", "/api/v1/admin/strikes/<int:strike_id>/resolve"): R(
        STAFF, values=lambda t: {"strike_id": t.new_strike()}, json=lambda t: {"note": "Ok."}
    ),
    ("POST", "/api/v1/admin/users/<handle>/suspend"): R(
        STAFF, values=a_stranger, json=lambda t: {"reason": "Cool off."}
    ),
    # Not suspended: staff are let through to "not suspended" (409).
    ("POST", "/api/v1/admin/users/<handle>/unsuspend"): R(STAFF, values=a_stranger),
    ("DELETE", "/api/v1/admin/users/<handle>"): R(MANAGER, values=a_stranger),
    ("GET", "/api/v1/me/strikes"): R(SIGNED_IN),
    # A wrong password: let through to its 422, nobody deleted.
    ("DELETE", "/api/v1/me"): R(SIGNED_IN, json=lambda t: {"password": "not it"}),
    ("POST", "/api/v1/users/<handle>/block"): R(SIGNED_IN, values=a_stranger, json=lambda t: {}),
    ("DELETE", "/api/v1/users/<handle>/block"): R(SIGNED_IN, values=a_stranger),
    ("GET", "/api/v1/me/blocks"): R(SIGNED_IN),
    # -- support tickets -----------------------------------------------------------
    ("POST", "/api/v1/tickets"): R(SIGNED_IN, json=lambda t: {"title": "Help", "text": "Please."}),
    ("GET", "/api/v1/tickets"): R(SIGNED_IN),
    ("GET", "/api/v1/tickets/<int:ticket_id>"): R(TICKET_OWNER, values=a_ticket),
    ("POST", "/api/v1/tickets/<int:ticket_id>/replies"): R(
        TICKET_OWNER, values=a_ticket, json=lambda t: {"text": "More."}
    ),
    ("POST", "/api/v1/tickets/<int:ticket_id>/close"): R(TICKET_OWNER, values=a_ticket),
    ("GET", "/api/v1/admin/tickets"): R(STAFF, query="view=all"),
    ("GET", "/api/v1/admin/tickets/<int:ticket_id>"): R(STAFF, values=a_ticket),
    ("POST", "/api/v1/admin/tickets/<int:ticket_id>/assign"): R(STAFF, values=a_ticket),
    ("POST", "/api/v1/admin/tickets/<int:ticket_id>/escalate"): R(
        STAFF, values=a_ticket, json=lambda t: {"note": "Managers."}
    ),
    # Unassigned: staff are let through to "assign it first" (409).
    ("POST", "/api/v1/admin/tickets/<int:ticket_id>/replies"): R(
        STAFF, values=a_ticket, json=lambda t: {"text": "Hello."}
    ),
    ("POST", "/api/v1/admin/tickets/<int:ticket_id>/close"): R(STAFF, values=a_ticket),
    # -- collections: a new public one of the owner's, holding the row's post -----
    ("GET", "/c/<int:collection_id>"): R(PUBLIC, values=lambda t: t.new_collection()),
    ("GET", "/c/new"): R(SIGNED_IN),
    ("POST", "/c/new"): R(SIGNED_IN, form=lambda t: {"title": "Winter"}),
    ("GET", "/c/<int:collection_id>/edit"): R(AUTHOR_ONLY, values=lambda t: t.new_collection()),
    ("POST", "/c/<int:collection_id>/edit"): R(
        AUTHOR_ONLY, values=lambda t: t.new_collection(), form=lambda t: {"title": "Same"}
    ),
    ("POST", "/c/<int:collection_id>/delete"): R(AUTHOR_ONLY, values=lambda t: t.new_collection()),
    ("POST", "/c/<int:collection_id>/items"): R(
        AUTHOR_ONLY, values=lambda t: t.new_collection(), form=lambda t: {"post_id": t.post}
    ),
    ("POST", "/c/<int:collection_id>/items/<int:post_id>/move"): R(
        AUTHOR_ONLY, values=lambda t: t.new_collection(), form=lambda t: {"direction": "up"}
    ),
    ("POST", "/c/<int:collection_id>/items/<int:post_id>/remove"): R(
        AUTHOR_ONLY, values=lambda t: t.new_collection()
    ),
    ("GET", "/p/<int:post_id>/collect"): R(SIGNED_IN),
    ("GET", "/u/<handle>/collections"): R(PUBLIC),
    ("POST", "/api/v1/collections"): R(SIGNED_IN, json=lambda t: {"title": "Winter"}),
    ("GET", "/api/v1/users/<handle>/collections"): R(PUBLIC),
    ("GET", "/api/v1/collections/<int:collection_id>"): R(
        PUBLIC, values=lambda t: t.new_collection()
    ),
    ("PATCH", "/api/v1/collections/<int:collection_id>"): R(
        AUTHOR_ONLY, values=lambda t: t.new_collection(), json=lambda t: {"title": "Same"}
    ),
    ("DELETE", "/api/v1/collections/<int:collection_id>"): R(
        AUTHOR_ONLY, values=lambda t: t.new_collection()
    ),
    ("GET", "/api/v1/collections/<int:collection_id>/items"): R(
        PUBLIC, values=lambda t: t.new_collection()
    ),
    ("POST", "/api/v1/collections/<int:collection_id>/items"): R(
        AUTHOR_ONLY, values=lambda t: t.new_collection(), json=lambda t: {"post_id": t.post}
    ),
    ("PATCH", "/api/v1/collections/<int:collection_id>/items/<int:post_id>"): R(
        AUTHOR_ONLY, values=lambda t: t.new_collection(), json=lambda t: {}
    ),
    ("DELETE", "/api/v1/collections/<int:collection_id>/items/<int:post_id>"): R(
        AUTHOR_ONLY, values=lambda t: t.new_collection()
    ),
    # -- appeals ------------------------------------------------------------------
    ("POST", "/api/v1/appeals"): R(
        APPELLANT,
        json=lambda t: {
            "target_type": "take_down",
            "target_id": t.new_take_down(),
            "text": "Mine.",
        },
    ),
    ("GET", "/api/v1/appeals"): R(SIGNED_IN),
    ("GET", "/api/v1/admin/appeals"): R(MANAGER),
    ("POST", "/api/v1/admin/appeals/<int:appeal_id>/decision"): R(
        MANAGER,
        values=lambda t: {"appeal_id": t.new_appeal()},
        json=lambda t: {"decision": "uphold", "note": "It stands."},
    ),
}

SKIPPED_ENDPOINTS = {"static", "bootstrap.static"}  # files, not routes of the app's own


def routes_of(app: Flask) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in SKIPPED_ENDPOINTS
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


# -- the world the requests act on -------------------------------------------------


@dataclass
class Targets:
    app: Flask
    ids: dict[str, int] = field(default_factory=dict)
    shared_post: int = 0
    shared_key: str = ""
    reset_token: str = ""
    read_only: tuple[int, int] | None = None
    post: int = 0
    shared_session: int = 0
    shared_frame: int = 0
    shared_frame_key: str = ""

    def live_values(self) -> dict:
        return {"session_id": self.shared_session, "frame_id": self.shared_frame}

    def new_session(self) -> int:
        """A new running session of the owner's (ending the one running)."""
        with self.app.app_context():
            db.session.execute(
                db.update(LiveSession)
                .where(LiveSession.owner_id == self.ids["owner"], LiveSession.status == "live")
                .values(status="ended", ended_at=utcnow())
            )
            live = LiveSession(owner_id=self.ids["owner"], title="Tonight")
            db.session.add(live)
            db.session.commit()
            return live.id

    def ended_session(self) -> int:
        with self.app.app_context():
            live = LiveSession(
                owner_id=self.ids["owner"], title="Over", status="ended", ended_at=utcnow()
            )
            db.session.add(live)
            db.session.commit()
            return live.id

    def live_owner(self) -> dict:
        """A new user who is live."""
        handle = self.new_user()
        with self.app.app_context():
            user_id = db.session.scalar(db.select(User.id).where(User.handle == handle))
            db.session.add(LiveSession(owner_id=user_id, title="Mine"))
            db.session.commit()
        return {"handle": handle}

    def new_frame(self) -> int:
        """A frame row (no files: a take-down does not touch them) of the shared session."""
        with self.app.app_context():
            frame = LiveFrame(
                session_id=self.shared_session,
                owner_id=self.ids["owner"],
                media_key=f"frame{next(counter)}",
                width=64,
                height=48,
            )
            db.session.add(frame)
            db.session.commit()
            return frame.id

    def new_user(self) -> str:
        handle = f"stranger{next(counter)}"
        with self.app.app_context():
            users.register_user(
                db.session,
                password_hashing(),
                email=f"{handle}@example.org",
                handle=handle,
                display_name="Stranger",
                password=STRONG_PASSWORD,
            )
            db.session.commit()
        return handle

    def new_report(self) -> int:
        """An open report by the user on a new post of the owner's."""
        post_id, _ = self.new_post_and_comment()
        with self.app.app_context():
            report = Report(
                reporter_id=self.ids["user"],
                target_type="post",
                target_id=post_id,
                target_owner_id=self.ids["owner"],
                reason="spam",
            )
            db.session.add(report)
            db.session.commit()
            return report.id

    def new_ticket(self) -> int:
        """An open, unassigned ticket of the owner's."""
        with self.app.app_context():
            owner = db.session.get(User, self.ids["owner"])
            ticket = tickets.open_ticket(db.session, owner, "Help", "Please.", utcnow())
            db.session.commit()
            return ticket.id

    def new_post(self, owner: str) -> int:
        with self.app.app_context():
            owner_id = db.session.scalar(db.select(User.id).where(User.handle == owner))
            post = Post(
                owner_id=owner_id,
                title="Theirs",
                category="deep-sky",
                observer="Them",
                media_key=f"k{next(counter)}",
                status=PostStatus.READY,
            )
            db.session.add(post)
            db.session.commit()
            return post.id

    def new_collection(self) -> dict:
        """A public collection of the owner's holding the row's post."""
        with self.app.app_context():
            collection = Collection(owner_id=self.ids["owner"], title="Winter")
            db.session.add(collection)
            db.session.flush()
            db.session.add(
                CollectionItem(collection_id=collection.id, post_id=self.post, position="a0")
            )
            db.session.commit()
            return {"collection_id": collection.id}

    def new_strike(self) -> int:
        """An active strike against a new account (not the owner's: resolving
        strikes would suspend it)."""
        handle = self.new_user()
        with self.app.app_context():
            user_id = db.session.scalar(db.select(User.id).where(User.handle == handle))
            strike = Strike(user_id=user_id, reason="Test.")
            db.session.add(strike)
            db.session.commit()
            return strike.id

    def new_post_and_comment(self) -> tuple[int, int]:
        with self.app.app_context():
            post = Post(
                owner_id=self.ids["owner"],
                title="Target",
                category="deep-sky",
                observer="Vega",
                media_key=f"k{next(counter)}",
                status=PostStatus.READY,
            )
            db.session.add(post)
            db.session.flush()
            comment = Comment(post_id=post.id, author_id=self.ids["owner"], body="Mine")
            db.session.add(comment)
            post.comment_count = 1
            db.session.commit()
            self.post = post.id
            return post.id, comment.id

    def new_take_down(self) -> int:
        """A take-down of a new post of the owner's, counted already towards
        a resolved strike (so that it brings the owner no new one)."""
        post_id = self.new_post(HANDLES["owner"])
        with self.app.app_context():
            post = db.session.get(Post, post_id)
            post.taken_down = True
            spent = Strike(user_id=self.ids["owner"], reason="Old.", resolved_at=utcnow())
            db.session.add(spent)
            db.session.flush()
            removal = TakeDown(
                post_id=post_id,
                owner_id=self.ids["owner"],
                reason="Test.",
                post_title="Theirs",
                strike_id=spent.id,
            )
            db.session.add(removal)
            db.session.commit()
            return removal.id

    def new_appeal(self) -> int:
        """A pending appeal by the owner of a new take-down."""
        take_down_id = self.new_take_down()
        with self.app.app_context():
            filed = Appeal(
                appellant_id=self.ids["owner"],
                target_type="take_down",
                target_id=take_down_id,
                text="Please.",
            )
            db.session.add(filed)
            db.session.commit()
            return filed.id


BACKENDS = ["sqlite"] + (
    ["postgresql"] if POSTGRES_ADMIN_URL and os.environ.get("SKYFRAME_MATRIX_POSTGRES") else []
)


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("matrix")
    with throwaway_database(request.param, tmp_path_factory) as url:
        migrate_to_head(url)
        app = build_app(
            url,
            UPLOAD_FOLDER=str(folder / "uploads"),
            MAIL_FILE_DIR=str(folder / "mail"),
            RATELIMIT_ENABLED=False,
            ADMIN_ALLOWED_NETWORKS=ALLOWED_NETWORKS,
        )
        yield _populate(app, folder)
        with app.app_context():
            db.session.remove()
            empty_all_tables()
            db.engine.dispose()


ROLES = {"moderator": Role.MODERATOR, "manager": Role.MANAGER, OUTSIDE: Role.MANAGER}


def _populate(app: Flask, folder) -> tuple[Flask, Targets, dict]:
    targets = Targets(app)
    with app.app_context():
        for actor, handle in [*HANDLES.items(), ("spare", "spare")]:
            user = users.register_user(
                db.session,
                password_hashing(),
                email=f"{handle}@example.org",
                handle=handle,
                display_name=handle.title(),
                password=STRONG_PASSWORD,
                role=ROLES.get(actor, Role.USER),
            )
            db.session.flush()
            targets.ids[actor] = user.id
        db.session.get(User, targets.ids["suspended"]).suspended_at = utcnow()
        spare = db.session.get(User, targets.ids["spare"])
        targets.reset_token = password_reset.issue_token(
            db.session, spare, lifetime=timedelta(hours=1), now=utcnow()
        )
        db.session.commit()
    clients = {actor: client_of(app, actor) for actor in (*ACTORS, OUTSIDE)}
    for actor in HANDLES:
        sign_in(app, clients[actor], actor, targets)
    image = samples.write_image(folder / "m42.jpg", 64, 48).read_bytes()
    shared = clients["owner"].post(
        "/api/v1/posts",
        data={"title": "Shared", "category": "deep-sky", "file": (io.BytesIO(image), "m42.jpg")},
        content_type="multipart/form-data",
    )
    assert shared.status_code == 201, shared.get_json()
    targets.shared_post = shared.get_json()["id"]
    targets.shared_key = shared.get_json()["media"]["thumb"][0]["url"].split("/media/", 1)[1]
    live = clients["owner"].post("/api/v1/live", json={"title": "Shared"})
    assert live.status_code == 201, live.get_json()
    targets.shared_session = live.get_json()["session"]["id"]
    frame = clients["owner"].post(
        f"/api/v1/live/{targets.shared_session}/frames",
        data={"file": (io.BytesIO(image), "m42.jpg")},
        content_type="multipart/form-data",
    )
    assert frame.status_code == 201, frame.get_json()
    targets.shared_frame = frame.get_json()["id"]
    targets.shared_frame_key = frame.get_json()["display"][0]["url"].split("/")[-2]
    return app, targets, clients


def client_of(app: Flask, actor: str):
    client = app.test_client()
    if actor == OUTSIDE:
        client.environ_base["REMOTE_ADDR"] = OUTSIDE_ADDRESS
    return client


def sign_in(app: Flask, client, actor: str, targets: Targets) -> None:
    """Sign ``actor`` in; a disabled actor signs in while active and is
    disabled afterwards (the flag alone: its login session stays on record)."""
    with app.app_context():
        db.session.get(User, targets.ids[actor]).disabled = False
        db.session.commit()
    assert login(client, HANDLES[actor]).status_code == 200
    if actor == "disabled":
        with app.app_context():
            db.session.get(User, targets.ids[actor]).disabled = True
            db.session.commit()


# -- one request, one outcome --------------------------------------------------------


def outcome(response) -> str:
    status = response.status_code
    if status == 401 or (
        status in (301, 302, 303) and "/login?next=" in response.headers.get("Location", "")
    ):
        return LOGIN
    if status == 403:
        return DENY
    if status == 404:
        return HIDE
    return OK


def call(client, method: str, path: str, row: Row, targets: Targets, csrf: str):
    # The token of the actor's session, sent as the PWA does (CsrfClient
    # would fetch a new one for every write).
    kwargs: dict[str, Any] = {"method": method, "headers": {"X-CSRFToken": csrf}}
    if row.json is not None:
        kwargs["json"] = row.json(targets)
    elif method != "GET":
        kwargs["data"] = dict(row.form(targets)) if row.form is not None else {}
        if row.multipart:
            kwargs["content_type"] = "multipart/form-data"
    return client.open(path + (f"?{row.query}" if row.query else ""), **kwargs)


def url(app: Flask, method: str, rule_text: str, row: Row, targets: Targets) -> str:
    # Reads share one post and comment; every write gets its own.
    if method != "GET":
        post_id, comment_id = targets.new_post_and_comment()
    else:
        targets.read_only = targets.read_only or targets.new_post_and_comment()
        post_id, comment_id = targets.read_only
    values = {"post_id": post_id, "comment_id": comment_id, "handle": HANDLES["owner"]}
    values.update(row.values(targets) if row.values else {})
    (rule,) = [
        r
        for r in app.url_map.iter_rules()
        if r.rule == rule_text and method in r.methods  # one rule per method
    ]
    with app.test_request_context():
        path = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
    return path


def test_every_route_has_a_row(world):
    app, _, _ = world
    routes = routes_of(app)
    missing = sorted(routes - ROUTES.keys())
    assert not missing, "routes without a row in tests/test_route_matrix.py ROUTES: " + ", ".join(
        f"{method} {rule}" for method, rule in missing
    )
    gone = sorted(ROUTES.keys() - routes)
    assert not gone, "rows naming no route: " + ", ".join(f"{m} {r}" for m, r in gone)


def test_every_actor_on_every_route(world):
    app, targets, clients = world
    tokens = {actor: client.csrf_token() for actor, client in clients.items()}
    wrong = []
    for (method, rule_text), row in sorted(ROUTES.items(), key=lambda item: item[0][::-1]):
        for actor in (*ACTORS, OUTSIDE):
            client = clients[actor]
            path = url(app, method, rule_text, row, targets)
            response = call(client, method, path, row, targets, tokens[actor])
            got = outcome(response)
            if got != expected(rule_text, row, actor):
                wrong.append(
                    f"{method} {rule_text} as {actor}: expected "
                    f"{expected(rule_text, row, actor)}, got {response.status_code} ({got})"
                )
            if row.ends_session:
                clients[actor] = client_of(app, actor)
                if actor != "anonymous":
                    sign_in(app, clients[actor], actor, targets)
                tokens[actor] = clients[actor].csrf_token()
    assert not wrong, "\n".join(wrong)
