"""What the staff dashboard shows: the work waiting (open reports; tickets
waiting for staff, ``open`` or ``pending``, those for managers only left
out for moderators; current suspensions) and the site's activity per day —
sign-ups, uploads, reports and take-downs over the last ``DAYS`` days, UTC.

Each series is one query grouped by day (``utc_day``: SQLite's ``date()`` of
its naive UTC text, PostgreSQL's ``to_char`` of the timestamp at UTC, both
'YYYY-MM-DD'), over rows since the first day's midnight; days without a row
are filled with 0 here, so every series has exactly ``days`` points, oldest
first. Ending today, today included (a partial day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import false, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String

from skyframe import policy
from skyframe.models import Post, Report, ReportStatus, TakeDown, Ticket, TicketStatus, User

DAYS = 90
SUSPENDED_SHOWN = 10


class utc_day(FunctionElement):
    """The UTC calendar day of a timestamp column, as 'YYYY-MM-DD'."""

    type = String()
    inherit_cache = True
    name = "utc_day"


@compiles(utc_day)
def _utc_day_sqlite(element, compiler, **kw) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element, compiler, **kw) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"to_char(({column}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


@dataclass(frozen=True)
class Series:
    """Counts per day, oldest first, every day present."""

    name: str
    label: str  # what is counted, for headings and text alternatives
    points: list[tuple[date, int]]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.points)

    @property
    def peak(self) -> tuple[date, int] | None:
        """The busiest day (the latest of equals); None when all are 0."""
        best = max(self.points, key=lambda point: (point[1], point[0]), default=None)
        return best if best and best[1] > 0 else None


def window(now: datetime, days: int = DAYS) -> list[date]:
    today = now.astimezone(UTC).date()
    return [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def daily_counts(session: Session, created_at, now: datetime, days: int = DAYS) -> list:
    """(day, count) for each of the last ``days`` days of rows by ``created_at``."""
    wanted = window(now, days)
    since = datetime.combine(wanted[0], datetime.min.time(), tzinfo=UTC)
    day = utc_day(created_at)
    rows = session.execute(select(day, func.count()).where(created_at >= since).group_by(day)).all()
    counted = {date.fromisoformat(text): count for text, count in rows if text}
    return [(each, counted.get(each, 0)) for each in wanted]


# What the charts count: name, label and the column whose day counts.
SERIES = (
    ("signups", "Sign-ups", User.created_at),
    ("uploads", "Uploads", Post.created_at),
    ("reports", "Reports", Report.created_at),
    ("take_downs", "Take-downs", TakeDown.created_at),
)


def waiting_tickets(session: Session, actor: policy.Actor) -> int:
    """Tickets staff owe an answer (``open`` or ``pending``) that ``actor`` sees."""
    query = (
        select(func.count())
        .select_from(Ticket)
        .where(Ticket.status.in_([TicketStatus.OPEN, TicketStatus.PENDING]))
    )
    if not policy.can_see_managers_only_tickets(actor):
        query = query.where(Ticket.managers_only == false())
    return session.scalar(query) or 0


@dataclass(frozen=True)
class Dashboard:
    open_reports: int
    open_tickets: int
    suspended_count: int
    suspended: list[User]  # the most recently suspended, up to SUSPENDED_SHOWN
    series: list[Series]


def dashboard(session: Session, actor: policy.Actor, now: datetime, days: int = DAYS) -> Dashboard:
    policy.require(policy.can_moderate(actor), "Only staff see the dashboard.")
    current = (User.deleted_at.is_(None), policy.suspended_accounts(now))
    return Dashboard(
        open_reports=session.scalar(
            select(func.count()).select_from(Report).where(Report.status == ReportStatus.OPEN)
        )
        or 0,
        open_tickets=waiting_tickets(session, actor),
        suspended_count=session.scalar(select(func.count()).select_from(User).where(*current)) or 0,
        suspended=list(
            session.scalars(
                select(User)
                .where(*current)
                .order_by(User.suspended_at.desc().nulls_last(), User.id.desc())
                .limit(SUSPENDED_SHOWN)
            )
        ),
        series=[
            Series(name, label, daily_counts(session, column, now, days))
            for name, label, column in SERIES
        ],
    )
