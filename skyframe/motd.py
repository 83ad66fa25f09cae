"""Messages of the day: drafting, publishing inside a time window, and
per-user acknowledgement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from skyframe.exceptions import NotFound, ValidationFailed
from skyframe.models import Motd, MotdAck
from skyframe.models.motd import MOTD_TITLE_MAX_LENGTH
from skyframe.text import text_problem, too_long

MOTD_BODY_MAX_LENGTH = 2000


def parse_iso_datetime(value: str, field: str) -> datetime:
    """ISO 8601 to an aware UTC datetime; a value without an offset is taken as UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip())
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        parsed = parsed.astimezone(UTC)  # may overflow near year 1 or 9999
    except (ValueError, OverflowError) as exc:
        raise ValidationFailed(
            f"{field}: {value!r} is not an ISO 8601 date-time (e.g. 2026-12-01T18:00:00Z).",
            fields={field: "Use ISO 8601, e.g. 2026-12-01T18:00:00Z."},
        ) from exc
    return parsed


def add_motd(
    session: Session,
    *,
    title: str,
    body: str,
    now: datetime,
    publish: bool = False,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> Motd:
    errors = {}
    sent_title, sent_body = title, body
    title, body = title.strip(), body.strip()
    if not title or too_long(sent_title, title, MOTD_TITLE_MAX_LENGTH):
        errors["title"] = f"A title of 1 to {MOTD_TITLE_MAX_LENGTH} characters."
    if not body or too_long(sent_body, body, MOTD_BODY_MAX_LENGTH):
        errors["body"] = f"A message of 1 to {MOTD_BODY_MAX_LENGTH} characters."
    for name, value in (("title", title), ("body", body)):
        if name not in errors and (problem := text_problem(value, allowed_controls="\n\t\r")):
            errors[name] = problem
    if problem := window_problem(starts_at, ends_at):
        errors["ends_at"] = problem
    if errors:
        raise ValidationFailed("The message is not valid.", fields=errors)
    motd = Motd(
        title=title,
        body=body,
        starts_at=starts_at,
        ends_at=ends_at,
        published_at=now if publish else None,
        created_at=now,
    )
    session.add(motd)
    session.flush()
    return motd


def get_motd(session: Session, motd_id: int) -> Motd:
    motd = session.get(Motd, motd_id)
    if motd is None:
        raise NotFound(f"No message of the day with id {motd_id}.")
    return motd


def list_motds(session: Session) -> Sequence[Motd]:
    return session.scalars(select(Motd).order_by(Motd.id)).all()


def window_problem(starts_at: datetime | None, ends_at: datetime | None) -> str | None:
    """Why a display window is not valid, or None."""
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        return f"The end must come after the start: {_iso(ends_at)} is not after {_iso(starts_at)}."
    return None


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def publish_motd(
    session: Session,
    motd_id: int,
    now: datetime,
    *,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> Motd:
    """Publish a message (publishing again keeps its first publication time),
    optionally setting the start and/or end of its window; the window that
    results must end after it starts."""
    motd = get_motd(session, motd_id)
    new_start = starts_at if starts_at is not None else motd.starts_at
    new_end = ends_at if ends_at is not None else motd.ends_at
    if problem := window_problem(new_start, new_end):
        raise ValidationFailed(problem, fields={"ends_at": problem})
    motd.starts_at, motd.ends_at = new_start, new_end
    if motd.published_at is None:
        motd.published_at = now
    return motd


def expire_motd(session: Session, motd_id: int, now: datetime) -> Motd:
    motd = get_motd(session, motd_id)
    if motd.ends_at is None or motd.ends_at > now:
        motd.ends_at = now
        if motd.starts_at is not None and motd.starts_at >= now:
            motd.starts_at = None  # never started: keep the window well-formed
    return motd


def _live(now: datetime):
    return (
        Motd.published_at.is_not(None),
        or_(Motd.starts_at.is_(None), Motd.starts_at <= now),
        or_(Motd.ends_at.is_(None), Motd.ends_at > now),
    )


def pending_for_user(session: Session, user_id: int, now: datetime) -> Sequence[Motd]:
    """Live messages this user has not acknowledged yet, oldest first."""
    acked = exists().where(MotdAck.motd_id == Motd.id, MotdAck.user_id == user_id)
    query = select(Motd).where(*_live(now), ~acked).order_by(Motd.published_at, Motd.id)
    return session.scalars(query).all()


def acknowledge(session: Session, user_id: int, motd_id: int, now: datetime) -> None:
    """Record that the user dismissed a live message; repeating it changes nothing."""
    motd = session.scalar(select(Motd).where(Motd.id == motd_id, *_live(now)))
    if motd is None:
        raise NotFound("No such message is being shown.")
    if session.get(MotdAck, (user_id, motd_id)) is not None:
        return
    try:
        with session.begin_nested():
            session.add(MotdAck(user_id=user_id, motd_id=motd_id, acked_at=now))
    except IntegrityError:
        pass  # a concurrent request recorded the same acknowledgement
