"""``flask motd …``: add, list, publish, expire messages of the day."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from skyframe import motd as motd_service
from skyframe.cli.common import (
    given_once,
    json_when,
    print_json,
    reports_domain_errors,
    table,
    when,
)
from skyframe.exceptions import DomainError
from skyframe.extensions import db
from skyframe.models import utcnow
from skyframe.web.converters import DATABASE_INT_MAX

motd_cli = AppGroup("motd", help="Manage messages of the day.")


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
        title=given_once(title_arg, title, "title"),
        body=given_once(body_arg, body, "body"),
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
        print_json(
            {
                "messages": [
                    {
                        "id": m.id,
                        "title": m.title,
                        "body": m.body,
                        "state": m.state(now),
                        "published_at": json_when(m.published_at),
                        "starts_at": json_when(m.starts_at),
                        "ends_at": json_when(m.ends_at),
                        "created_at": json_when(m.created_at),
                    }
                    for m in messages
                ],
                "count": len(messages),
            }
        )
        return
    table(
        ["id", "state", "starts", "ends", "title"],
        ([str(m.id), m.state(now), when(m.starts_at), when(m.ends_at), m.title] for m in messages),
    )


MOTD_ID_OPTION = click.option(
    "--id", "id_option", type=MOTD_ID, metavar="ID", help="The message's id, instead of ID."
)


def _window(message, now) -> str:
    starts = f"starts {when(message.starts_at)}" if message.starts_at else "no start"
    ends = f"ends {when(message.ends_at)}" if message.ends_at else "no end"
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
        given_once(motd_id, id_option, "id"),
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
    message = motd_service.expire_motd(db.session, given_once(motd_id, id_option, "id"), utcnow())
    db.session.commit()
    click.echo(_window(message, utcnow()))
