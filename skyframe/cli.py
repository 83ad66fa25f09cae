"""Admin commands: ``flask users|motd|stats …`` and scripts/skyframe_admin.py."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import wraps

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy.exc import DBAPIError

from skyframe import motd as motd_service
from skyframe.accounts import users
from skyframe.exceptions import DomainError
from skyframe.extensions import db
from skyframe.models import Role, utcnow
from skyframe.services import password_hashing
from skyframe.stats import site_stats
from skyframe.web.converters import DATABASE_INT_MAX

users_cli = AppGroup("users", help="Manage accounts.")
motd_cli = AppGroup("motd", help="Manage messages of the day.")


def reports_domain_errors(command: Callable) -> Callable:
    """Turn domain errors into one clear line on stderr and exit status 1,
    undoing any writes; so too a database that cannot be reached or read."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except DomainError as exc:
            db.session.rollback()
            details = [f"{name}: {msg}" for name, msg in exc.fields.items() if msg != exc.message]
            raise click.ClickException(_one_line(" ".join([exc.message, *details]))) from exc
        except DBAPIError as exc:
            db.session.rollback()
            reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else ""
            raise click.ClickException(
                _one_line(
                    f"Database error ({type(exc.orig).__name__}): {reason} "
                    "(check DATABASE_URL, and that `alembic upgrade head` ran)"
                )
            ) from exc

    return wrapper


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _print_json(document) -> None:
    """One JSON document on stdout, nothing else (for scripts)."""
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


def _json_when(value) -> str | None:
    return _when(value) if value else None


def _account(login: str | None, username: str | None) -> str:
    """The account named by the LOGIN argument or by --username (exactly one)."""
    if login is not None and username is not None:
        raise click.UsageError("Name the account once: LOGIN or --username, not both.")
    if login is None and username is None:
        raise click.UsageError("Name the account: LOGIN (a handle or e-mail) or --username.")
    return login if login is not None else username


def _given_once(argument: str | None, option: str | None, name: str) -> str:
    """A value given either as the NAME argument or as the --name option."""
    if argument is not None and option is not None:
        raise click.UsageError(f"Give the {name} once: {name.upper()} or --{name}, not both.")
    if argument is None and option is None:
        raise click.UsageError(f"Missing the {name}: give {name.upper()} or --{name}.")
    return argument if argument is not None else option


USERNAME_OPTION = click.option(
    "--username",
    metavar="HANDLE",
    help="The account's handle, instead of the LOGIN argument.",
)


def _table(headers: list[str], rows: Iterable[list[str]]) -> None:
    rows = list(rows)
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _when(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else "-"


ROLE_CHOICE = click.Choice([r.value for r in Role])


@users_cli.command("list")
@click.option("--role", type=ROLE_CHOICE, help="Only users with this role.")
@click.option(
    "--state", type=click.Choice(users.USER_STATES), help="Only active or disabled users."
)
@click.option(
    "--search",
    metavar="TEXT",
    help="Only users whose handle or e-mail contains TEXT (any case, taken literally).",
)
@click.option("--limit", type=click.IntRange(min=1), help="At most this many users.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (for scripts).")
@reports_domain_errors
def users_list(role: str | None, state, search, limit, as_json: bool) -> None:
    """List accounts, oldest first."""
    found = users.list_users(db.session, role, state=state, search=search, limit=limit)
    if as_json:
        _print_json(
            {
                "users": [
                    {
                        "id": u.id,
                        "handle": u.handle,
                        "email": u.email,
                        "display_name": u.display_name,
                        "role": u.role,
                        "state": "disabled" if u.disabled else "active",
                        "created_at": _json_when(u.created_at),
                        "last_login": _json_when(u.last_login),
                    }
                    for u in found
                ],
                "count": len(found),
            }
        )
        return
    _table(
        ["id", "handle", "email", "role", "state", "created", "last login"],
        (
            [
                str(u.id),
                u.handle,
                u.email,
                u.role,
                "disabled" if u.disabled else "active",
                _when(u.created_at),
                _when(u.last_login),
            ]
            for u in found
        ),
    )
    click.echo(f"{len(found)} user(s)")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option(
    "--handle",
    "--username",
    "handle",
    required=True,
    help="The public handle (--username is the same option).",
)
@click.option("--display-name", help="Defaults to the handle.")
@click.option("--role", type=ROLE_CHOICE, default=Role.USER.value, show_default=True)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="SKYFRAME_NEW_USER_PASSWORD",
    help="Prompted for when omitted (or set SKYFRAME_NEW_USER_PASSWORD).",
)
@reports_domain_errors
def users_create(email, handle, display_name, role, password) -> None:
    """Create an account.

    \b
      users create --email ada@example.org --handle ada
      users create --email ada@example.org --username ada --password 'PASSWORD'
    """
    user = users.register_user(
        db.session,
        password_hashing(),
        email=email,
        handle=handle,
        display_name=display_name or handle,
        password=password,
        role=Role(role),
    )
    db.session.commit()
    click.echo(f"Created @{user.handle} (id {user.id}, role {user.role}).")


def _set_disabled(login: str, disabled: bool) -> None:
    user = users.get_user(db.session, login)
    ended = users.set_disabled(db.session, user, disabled)
    db.session.commit()
    if not disabled:
        click.echo(f"@{user.handle} is now enabled.")
    elif ended:
        click.echo(
            f"@{user.handle} is now disabled: it can no longer log in, "
            f"and its {ended} login session(s) ended at once."
        )
    else:
        click.echo(
            f"@{user.handle} is now disabled: it can no longer log in "
            "(it had no login sessions to end)."
        )


@users_cli.command("disable")
@click.argument("login", required=False)
@USERNAME_OPTION
@reports_domain_errors
def users_disable(login: str | None, username: str | None) -> None:
    """Disable an account: it can no longer log in, and its login sessions
    end at once (signed out everywhere).

    LOGIN is a handle or e-mail address; --username names the handle instead:

    \b
      users disable ada
      users disable --username ada
    """
    _set_disabled(_account(login, username), True)


@users_cli.command("enable")
@click.argument("login", required=False)
@USERNAME_OPTION
@reports_domain_errors
def users_enable(login: str | None, username: str | None) -> None:
    """Re-enable a disabled account (it logs in afresh).

    \b
      users enable ada
      users enable --username ada
    """
    _set_disabled(_account(login, username), False)


@users_cli.command("set-role")
@click.argument("login_and_role", nargs=-1, metavar="[LOGIN] ROLE")
@USERNAME_OPTION
@reports_domain_errors
def users_set_role(login_and_role: tuple[str, ...], username: str | None) -> None:
    """Give an account the role user, moderator or manager.

    \b
      users set-role ada moderator
      users set-role --username ada moderator
    """
    ctx = click.get_current_context()
    expected = 1 if username is not None else 2
    if len(login_and_role) != expected:
        raise click.UsageError(
            "Give the account and the role: LOGIN ROLE, or --username HANDLE ROLE."
        )
    try:
        role = ROLE_CHOICE.convert(login_and_role[-1], None, ctx)
    except click.BadParameter as exc:
        exc.param_hint = "'ROLE'"
        raise
    login = _account(login_and_role[0] if expected == 2 else None, username)
    user = users.get_user(db.session, login)
    users.set_role(user, role)
    db.session.commit()
    click.echo(f"@{user.handle} is now {user.role}.")


@users_cli.command("reset-password")
@click.argument("login")
@click.option(
    "--link",
    is_flag=True,
    help="Print a one-time reset link to send to the person instead of setting a password.",
)
@click.option("--base-url", help="Site address for --link (default PUBLIC_URL, else localhost).")
@click.option(
    "--password",
    envvar="SKYFRAME_NEW_USER_PASSWORD",
    help="The new password; prompted for when omitted (or set SKYFRAME_NEW_USER_PASSWORD).",
)
@reports_domain_errors
def users_reset_password(login: str, link: bool, base_url: str | None, password: str | None):
    """Set a new password for an account (or print a reset link); either way
    every session of the account ends."""
    from flask import current_app

    from skyframe.accounts import login_sessions, password_reset

    user = users.get_user(db.session, login)
    if link:
        token = password_reset.issue_token(
            db.session, user, lifetime=current_app.config["PASSWORD_RESET_LIFETIME"], now=utcnow()
        )
        base = base_url or current_app.config.get("PUBLIC_URL") or "http://127.0.0.1:5000"
        ended = login_sessions.end_all(db.session, user.id)
        db.session.commit()
        click.echo(f"Reset link for @{user.handle} (works once, within the hour):")
        click.echo(f"{base.rstrip('/')}/reset-password/{token}")
    else:
        if password is None:
            password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
        users.set_password(db.session, password_hashing(), user, password)
        ended = login_sessions.end_all(db.session, user.id)
        db.session.commit()
        click.echo(f"New password set for @{user.handle}.")
    click.echo(f"Ended {ended} session(s).")


def _iso(field: str):
    def convert(ctx, param, value):
        if value is None:
            return None
        try:
            return motd_service.parse_iso_datetime(value, field)
        except DomainError as exc:
            raise click.BadParameter(exc.message) from exc

    return convert


MOTD_ID = click.IntRange(min=1, max=DATABASE_INT_MAX)


@motd_cli.command("add")
@click.argument("title_arg", metavar="[TITLE]", required=False)
@click.argument("body_arg", metavar="[BODY]", required=False)
@click.option("--title", help="The title, instead of the TITLE argument.")
@click.option("--body", help="The message, instead of the BODY argument.")
@click.option("--publish", is_flag=True, help="Publish at once.")
@click.option(
    "--starts-at",
    metavar="DATETIME",
    callback=_iso("starts_at"),
    help="ISO 8601; UTC if no offset.",
)
@click.option(
    "--ends-at", metavar="DATETIME", callback=_iso("ends_at"), help="ISO 8601; UTC if no offset."
)
@reports_domain_errors
def motd_add(title_arg, body_arg, title, body, publish, starts_at, ends_at) -> None:
    """Draft (or publish) a message of the day; it shows only once published.

    \b
      motd add "Perseids tonight" "Peak after midnight." --publish
      motd add --title "Lunar Watch" --body "Peak viewing on Friday." --publish
    """
    message = motd_service.add_motd(
        db.session,
        title=_given_once(title_arg, title, "title"),
        body=_given_once(body_arg, body, "body"),
        now=utcnow(),
        publish=publish,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    db.session.commit()
    click.echo(f"Message {message.id} added ({message.state(utcnow())}).")


@motd_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (for scripts).")
@reports_domain_errors
def motd_list(as_json: bool) -> None:
    """List messages with their state and window."""
    now = utcnow()
    messages = motd_service.list_motds(db.session)
    if as_json:
        _print_json(
            {
                "messages": [
                    {
                        "id": m.id,
                        "title": m.title,
                        "body": m.body,
                        "state": m.state(now),
                        "published_at": _json_when(m.published_at),
                        "starts_at": _json_when(m.starts_at),
                        "ends_at": _json_when(m.ends_at),
                        "created_at": _json_when(m.created_at),
                    }
                    for m in messages
                ],
                "count": len(messages),
            }
        )
        return
    _table(
        ["id", "state", "starts", "ends", "title"],
        (
            [str(m.id), m.state(now), _when(m.starts_at), _when(m.ends_at), m.title]
            for m in messages
        ),
    )


MOTD_ID_OPTION = click.option(
    "--id", "id_option", type=MOTD_ID, metavar="ID", help="The message's id, instead of ID."
)


def _window(message, now) -> str:
    starts = f"starts {_when(message.starts_at)}" if message.starts_at else "no start"
    ends = f"ends {_when(message.ends_at)}" if message.ends_at else "no end"
    return f"Message {message.id} is {message.state(now)} ({starts}, {ends})."


@motd_cli.command("publish")
@click.argument("motd_id", type=MOTD_ID, metavar="[ID]", required=False)
@MOTD_ID_OPTION
@click.option(
    "--starts-at",
    metavar="DATETIME",
    callback=_iso("starts_at"),
    help="Show from then; ISO 8601, UTC if no offset.",
)
@click.option(
    "--ends-at",
    metavar="DATETIME",
    callback=_iso("ends_at"),
    help="Show until then; ISO 8601, UTC if no offset.",
)
@reports_domain_errors
def motd_publish(motd_id, id_option, starts_at, ends_at) -> None:
    """Publish a drafted message, optionally setting its window; the end must
    come after the start.

    \b
      motd publish 3
      motd publish --id 3 --starts-at 2026-08-12T18:00:00 --ends-at 2026-08-13T06:00Z
    """
    message = motd_service.publish_motd(
        db.session,
        _given_once(motd_id, id_option, "id"),
        utcnow(),
        starts_at=starts_at,
        ends_at=ends_at,
    )
    db.session.commit()
    click.echo(_window(message, utcnow()))


@motd_cli.command("expire")
@click.argument("motd_id", type=MOTD_ID, metavar="[ID]", required=False)
@MOTD_ID_OPTION
@reports_domain_errors
def motd_expire(motd_id, id_option) -> None:
    """End a message's window now.

    \b
      motd expire 3
      motd expire --id 3
    """
    message = motd_service.expire_motd(db.session, _given_once(motd_id, id_option, "id"), utcnow())
    db.session.commit()
    click.echo(_window(message, utcnow()))


def _size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError  # unreachable


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (for scripts).")
@with_appcontext
@reports_domain_errors
def stats(as_json: bool) -> None:
    """Site-wide counts: users, posts, storage by backend, jobs, the last 7 days."""
    from skyframe.jobs import current_jobs

    now = utcnow()
    counts = site_stats(db.session, now, current_jobs())
    if as_json:
        _print_json({"generated_at": _when(now), **counts})
        return
    users, posts, jobs = counts["users"], counts["posts"], counts["jobs"]
    lines = [
        ("users", f"{users['total']} ({users['active']} active, {users['disabled']} disabled)"),
        ("sign-ups, last 7 days", users["signups_last_7_days"]),
        (
            "posts",
            f"{posts['total']} ({posts['ready']} ready, {posts['processing']} processing, "
            f"{posts['failed']} failed)",
        ),
        ("uploads, last 7 days", posts["uploads_last_7_days"]),
        ("likes", counts["likes"]),
        ("comments", counts["comments"]),
    ]
    lines += [
        (f"storage ({backend})", f"{_size(used['bytes'])} in {used['files']} file(s)")
        for backend, used in counts["storage"].items()
    ] or [("storage", "no stored files")]
    if jobs["error"]:
        lines.append((f"jobs ({jobs['backend']})", f"unknown: {jobs['error']}"))
    else:
        lines.append(
            (f"jobs ({jobs['backend']})", f"{jobs['queued']} queued, {jobs['failed']} failed")
        )
    for name, value in lines:
        click.echo(f"{name:<24}{value}")


posts_cli = AppGroup("posts", help="Maintain posts.")


@posts_cli.command("sweep")
@click.option("--older-than-minutes", type=click.IntRange(min=1), default=30, show_default=True)
def posts_sweep(older_than_minutes: int) -> None:
    """Fail uploads stuck in processing (e.g. a worker died) and remove their files."""
    from datetime import timedelta

    from skyframe.posts import lifecycle as post_lifecycle
    from skyframe.services import current_storage

    count = post_lifecycle.fail_stale_uploads(
        db.session,
        current_storage(),
        older_than=timedelta(minutes=older_than_minutes),
        now=utcnow(),
    )
    click.echo(f"{count} stale upload(s) marked failed.")


feed_cli = AppGroup("feed", help="Maintain the feed.")


@feed_cli.command("purge-seen")
def feed_purge_seen() -> None:
    """Delete seen-history rows older than FEED_SEEN_RETENTION_DAYS (for cron)."""
    from skyframe.feed import seen
    from skyframe.services import feed_settings

    count = seen.purge_expired(db.session, feed_settings(), utcnow())
    db.session.commit()
    click.echo(f"{count} expired seen row(s) deleted.")


@click.command("seed-demo")
@click.option("--users", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--posts", type=click.IntRange(min=0), default=200, show_default=True)
@click.option(
    "--follows", type=click.IntRange(min=0), default=10, show_default=True, help="Follows per user."
)
@click.option(
    "--likes", type=click.IntRange(min=0), default=20, show_default=True, help="Likes per user."
)
@click.option(
    "--seen",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Seen-history rows per user.",
)
@click.option(
    "--heavy-users",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Users with 500 follows and 30,000 seen posts.",
)
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=60,
    show_default=True,
    help="Spread uploads over this many days.",
)
@click.option(
    "--images/--no-images",
    default=None,
    help="Store generated images (default: when --posts is at most 2,000).",
)
@click.option("--seed", type=int, default=7, show_default=True)
@with_appcontext
def seed_demo(users, posts, follows, likes, seen, heavy_users, days, images, seed) -> None:
    """Fill the database with a realistic demo site (users demoN, one password)."""
    import time

    from skyframe.demo import DEMO_PASSWORD, DemoShape
    from skyframe.demo import seed_demo as generate
    from skyframe.services import current_storage, password_hashing

    shape = DemoShape(
        users=users,
        posts=posts,
        follows_per_user=follows,
        likes_per_user=likes,
        seen_per_user=seen,
        heavy_users=min(heavy_users, users),
        days=days,
        images=posts <= 2000 if images is None else images,
        seed=seed,
    )
    started = time.perf_counter()
    report = generate(
        db.session, current_storage(), shape, utcnow(), password_hashing().hash(DEMO_PASSWORD)
    )
    db.session.commit()
    click.echo(
        f"Added {report.users} users, {report.posts} posts, {report.follows} follows, "
        f"{report.likes} likes, {report.seen} seen rows in {time.perf_counter() - started:.1f} s."
    )
    click.echo(
        f"Sign in as {report.first_user} with password {DEMO_PASSWORD}"
        + (f" (heavy user: {report.heavy_user})." if report.heavy_user else ".")
    )


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker(burst: bool) -> None:
    """Process background jobs from Redis (JOBS_BACKEND=rq)."""
    from flask import current_app

    from skyframe.jobs import start_worker

    try:
        start_worker(current_app._get_current_object(), burst=burst)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(motd_cli)
    app.cli.add_command(stats)
    app.cli.add_command(worker)
    app.cli.add_command(posts_cli)
    app.cli.add_command(seed_demo)
    app.cli.add_command(feed_cli)
