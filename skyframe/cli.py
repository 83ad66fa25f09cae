"""Admin commands: ``flask users|motd|stats …`` and scripts/skyframe_admin.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from skyframe import accounts
from skyframe import motd as motd_service
from skyframe.exceptions import DomainError
from skyframe.extensions import db
from skyframe.models import Role, utcnow
from skyframe.stats import site_stats
from skyframe.wiring import password_hashing

users_cli = AppGroup("users", help="Manage accounts.")
motd_cli = AppGroup("motd", help="Manage messages of the day.")


def reports_domain_errors(command: Callable) -> Callable:
    """Turn domain errors into a clear message and exit status 1, undoing any writes."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except DomainError as exc:
            db.session.rollback()
            details = "".join(f"\n  {name}: {msg}" for name, msg in exc.fields.items())
            raise click.ClickException(exc.message + details) from exc

    return wrapper


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
def users_list(role: str | None) -> None:
    """List accounts."""
    users = accounts.list_users(db.session, role)
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
            for u in users
        ),
    )
    click.echo(f"{len(users)} user(s)")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--handle", required=True)
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
    """Create an account."""
    user = accounts.register_user(
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
    user = accounts.get_user(db.session, login)
    accounts.set_disabled(db.session, user, disabled)
    db.session.commit()
    click.echo(f"@{user.handle} is now {'disabled' if disabled else 'enabled'}.")


@users_cli.command("disable")
@click.argument("login")
@reports_domain_errors
def users_disable(login: str) -> None:
    """Disable an account (by handle or e-mail): it can no longer log in."""
    _set_disabled(login, True)


@users_cli.command("enable")
@click.argument("login")
@reports_domain_errors
def users_enable(login: str) -> None:
    """Re-enable a disabled account."""
    _set_disabled(login, False)


@users_cli.command("set-role")
@click.argument("login")
@click.argument("role", type=ROLE_CHOICE)
@reports_domain_errors
def users_set_role(login: str, role: str) -> None:
    """Give an account the role user, moderator or manager."""
    user = accounts.get_user(db.session, login)
    accounts.set_role(user, role)
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

    from skyframe import login_sessions, password_reset

    user = accounts.get_user(db.session, login)
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
        accounts.set_password(db.session, password_hashing(), user, password)
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


@motd_cli.command("add")
@click.argument("title")
@click.argument("body")
@click.option("--publish", is_flag=True, help="Publish at once.")
@click.option("--starts-at", callback=_iso("starts_at"), help="ISO 8601; UTC if no offset.")
@click.option("--ends-at", callback=_iso("ends_at"), help="ISO 8601; UTC if no offset.")
@reports_domain_errors
def motd_add(title, body, publish, starts_at, ends_at) -> None:
    """Draft (or publish) a message of the day."""
    message = motd_service.add_motd(
        db.session,
        title=title,
        body=body,
        now=utcnow(),
        publish=publish,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    db.session.commit()
    click.echo(f"Message {message.id} added ({message.state(utcnow())}).")


@motd_cli.command("list")
def motd_list() -> None:
    """List messages with their state and window."""
    now = utcnow()
    messages = motd_service.list_motds(db.session)
    _table(
        ["id", "state", "starts", "ends", "title"],
        (
            [str(m.id), m.state(now), _when(m.starts_at), _when(m.ends_at), m.title]
            for m in messages
        ),
    )


@motd_cli.command("publish")
@click.argument("motd_id", type=int)
@reports_domain_errors
def motd_publish(motd_id: int) -> None:
    """Publish a drafted message."""
    message = motd_service.publish_motd(db.session, motd_id, utcnow())
    db.session.commit()
    click.echo(f"Message {message.id} is {message.state(utcnow())}.")


@motd_cli.command("expire")
@click.argument("motd_id", type=int)
@reports_domain_errors
def motd_expire(motd_id: int) -> None:
    """End a message's window now."""
    message = motd_service.expire_motd(db.session, motd_id, utcnow())
    db.session.commit()
    click.echo(f"Message {message.id} is {message.state(utcnow())}.")


@click.command("stats")
@with_appcontext
def stats() -> None:
    """Site-wide counts."""
    for name, value in site_stats(db.session, utcnow()).items():
        click.echo(f"{name:<22}{value}")


posts_cli = AppGroup("posts", help="Maintain posts.")


@posts_cli.command("sweep")
@click.option("--older-than-minutes", type=click.IntRange(min=1), default=30, show_default=True)
def posts_sweep(older_than_minutes: int) -> None:
    """Fail uploads stuck in processing (e.g. a worker died) and remove their files."""
    from datetime import timedelta

    from skyframe import posts
    from skyframe.wiring import current_storage

    count = posts.fail_stale_uploads(
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
    from skyframe.wiring import feed_settings

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
    from skyframe.wiring import current_storage, password_hashing

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
