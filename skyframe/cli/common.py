"""What every command shares: one clear line for a refused operation, JSON
for scripts, tables and times for people, naming an account or a value once."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import wraps

import click
from sqlalchemy.exc import DBAPIError

from skyframe.exceptions import DomainError
from skyframe.extensions import db


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
            raise click.ClickException(one_line(" ".join([exc.message, *details]))) from exc
        except DBAPIError as exc:
            db.session.rollback()
            reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else ""
            raise click.ClickException(
                one_line(
                    f"Database error ({type(exc.orig).__name__}): {reason} "
                    "(check DATABASE_URL, and that `alembic upgrade head` ran)"
                )
            ) from exc

    return wrapper


def gather(fetch: Callable, limit: int, page_size: int = 50) -> list:
    """Up to ``limit`` items of a keyset listing, page after page:
    ``fetch(cursor, n)`` answers a cursors.KeysetPage of at most ``n``."""
    items: list = []
    cursor = None
    while len(items) < limit:
        page = fetch(cursor, min(page_size, limit - len(items)))
        items += page.items
        if not page.has_more:
            break
        cursor = page.next_cursor
    return items


def one_line(text: str) -> str:
    return " ".join(text.split())


def print_json(document) -> None:
    """One JSON document on stdout, nothing else (for scripts)."""
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


def json_when(value) -> str | None:
    return when(value) if value else None


def named_account(login: str | None, username: str | None) -> str:
    """The account named by the LOGIN argument or by --username (exactly one)."""
    if login is not None and username is not None:
        raise click.UsageError("Name the account once: LOGIN or --username, not both.")
    if login is None and username is None:
        raise click.UsageError("Name the account: LOGIN (a handle or e-mail) or --username.")
    return login if login is not None else username


def given_once(argument: str | None, option: str | None, name: str) -> str:
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


def table(headers: list[str], rows: Iterable[list[str]]) -> None:
    rows = list(rows)
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def when(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else "-"
