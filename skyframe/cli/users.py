"""``flask users …``: list, create, disable, enable, set-role, suspend,
unsuspend, reset-password, delete. Staff actions act as policy.OPERATOR and
are audited with source ``cli``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from skyframe import policy, tasks
from skyframe.accounts import deletion, login_sessions, password_reset, users
from skyframe.cli.common import (
    USERNAME_OPTION,
    json_when,
    named_account,
    print_json,
    reports_domain_errors,
    table,
    when,
)
from skyframe.extensions import db
from skyframe.models import AuditSource, Role, utcnow
from skyframe.moderation import accounts as staff_accounts
from skyframe.moderation import suspensions
from skyframe.motd import parse_iso_datetime
from skyframe.policy import OPERATOR
from skyframe.services import password_hashing

users_cli = AppGroup("users", help="Manage accounts.")

ROLE_CHOICE = click.Choice([r.value for r in Role])


@users_cli.command("list")
@click.option("--role", type=ROLE_CHOICE, help="Only users with this role.")
@click.option(
    "--state",
    type=click.Choice(users.USER_STATES),
    help="Only active, suspended (by strikes or staff) or disabled users.",
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
    now = utcnow()
    found = users.list_users(db.session, role, state=state, search=search, limit=limit, now=now)
    if as_json:
        print_json(
            {
                "users": [
                    {
                        "id": u.id,
                        "handle": u.handle,
                        "email": u.email,
                        "display_name": u.display_name,
                        "role": u.role,
                        "state": users.account_state(u, now),
                        "created_at": json_when(u.created_at),
                        "last_login": json_when(u.last_login),
                    }
                    for u in found
                ],
                "count": len(found),
            }
        )
        return
    table(
        ["id", "handle", "email", "role", "state", "created", "last login"],
        (
            [
                str(u.id),
                u.handle,
                u.email,
                u.role,
                users.account_state(u, now),
                when(u.created_at),
                when(u.last_login),
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
    ended = staff_accounts.set_disabled(
        db.session, OPERATOR, user, disabled, now=utcnow(), source=AuditSource.CLI
    )
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
    _set_disabled(named_account(login, username), True)


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
    _set_disabled(named_account(login, username), False)


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
    login = named_account(login_and_role[0] if expected == 2 else None, username)
    user = users.get_user(db.session, login)
    staff_accounts.set_role(db.session, OPERATOR, user, role, now=utcnow(), source=AuditSource.CLI)
    db.session.commit()
    click.echo(f"@{user.handle} is now {user.role}.")


@users_cli.command("suspend")
@click.argument("login")
@click.option("--until", metavar="ISO", help="When it ends (ISO 8601, UTC without an offset).")
@click.option("--reason", default="", metavar="TEXT", help="Why (the account's owner reads it).")
@reports_domain_errors
def users_suspend(login: str, until: str | None, reason: str) -> None:
    """Suspend an account from posting and commenting (it can still sign in
    and read), until --until or until lifted; audited as the operator.

    \b
      users suspend ada --until 2026-12-31T00:00 --reason "Spam"
    """
    user = users.get_user(db.session, login)
    end = parse_iso_datetime(until, "until") if until else None
    suspensions.suspend(
        db.session, OPERATOR, user, until=end, reason=reason, now=utcnow(), source=AuditSource.CLI
    )
    db.session.commit()
    click.echo(
        f"@{user.handle} is suspended " + (f"until {when(end)}." if end else "until lifted.")
    )


@users_cli.command("unsuspend")
@click.argument("login")
@reports_domain_errors
def users_unsuspend(login: str) -> None:
    """Lift an account's suspension by staff (a suspension by strikes lifts
    when strikes are resolved); audited as the operator."""
    user = users.get_user(db.session, login)
    suspensions.unsuspend(db.session, OPERATOR, user, now=utcnow(), source=AuditSource.CLI)
    db.session.commit()
    click.echo(f"@{user.handle} is no longer suspended by staff.")


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


@users_cli.command("delete")
@click.argument("login")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@reports_domain_errors
def users_delete(login: str, yes: bool) -> None:
    """Delete an account for good (as the operator; audited, source cli):
    it can no longer log in, its posts, comments, likes, saves and follows
    disappear, its files are purged by a job, its handle stays reserved.

    \b
      users delete ada
      users delete ada@example.org --yes
    """
    user = users.get_user(db.session, login)
    if not yes:
        click.confirm(f"Delete @{user.handle} and everything it posted?", abort=True)
    deleted = deletion.delete_account(
        db.session, policy.OPERATOR, user, source=AuditSource.CLI, now=utcnow()
    )
    db.session.commit()
    purging = tasks.queue_account_purge(deleted.file_keys)
    click.echo(f"Deleted @{deleted.handle}; the handle stays reserved.")
    if not purging:
        click.echo("Its files could not be purged now: see the log for their keys.", err=True)
