"""Every job SkyFrame runs in the background, and every periodic schedule.

``create_app`` and ``flask worker`` import this module, so a job is known
in every process whichever routes it imported. Requests queue a job by name
(``skyframe.jobs.current_jobs().enqueue``); a periodic task also runs every
N seconds, N a ``TASK_*_SECONDS`` setting (0: off), without cron
(``skyframe.schedules``). ``flask tasks list|run NAME`` shows and runs them.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app

from skyframe import mail
from skyframe.accounts import deletion
from skyframe.extensions import db
from skyframe.feed import seen
from skyframe.jobs import current_jobs, job
from skyframe.live import sessions as live_sessions
from skyframe.models import utcnow
from skyframe.posts import lifecycle as post_lifecycle
from skyframe.schedules import at_start, periodic
from skyframe.services import current_storage, feed_settings, view_buffer
from skyframe.viewcounts import flush as view_flush
from skyframe.web import uploads

log = logging.getLogger(__name__)

PURGE_SEEN = "purge-seen"
SWEEP_UPLOADS = "sweep-uploads"
FLUSH_VIEWS = "flush-views"
RESUME_CLIPS = "resume-clips"
END_IDLE_LIVE = "end-idle-live"


# Queued by requests.


@job(uploads.PROCESS_POST, on_killed=uploads.process_post_killed)
def process_post(post_id: int) -> None:
    """Make an upload's renditions (queued by every upload)."""
    uploads.process_post_job(post_id)


@job(uploads.PROCESS_CLIP, on_killed=uploads.process_clip_killed, long=True)
def process_clip(post_id: int, attempt: int = 1) -> None:
    """Transcode a clip and make its poster (queued by every clip upload)."""
    uploads.process_clip_job(post_id, attempt)


@job(mail.SEND_MAIL)
def send_mail(to: str, subject: str, body: str) -> None:
    """Send one e-mail (password resets)."""
    mail.send_mail_job(to, subject, body)


def queue_account_purge(keys: list[str]) -> bool:
    """After an account's deletion commits, queue the purge of its files.
    The deletion stands whatever happens here: a queue that cannot take the
    job, or an inline run that fails, is logged with the keys left (a failed
    RQ job stays in the failed registry, to requeue). False then."""
    try:
        current_jobs().enqueue(deletion.PURGE_ACCOUNT_FILES, keys)
    except Exception:
        log.exception("purging %d file(s) of a deleted account failed: %s", len(keys), keys)
        return False
    return True


@job(deletion.PURGE_ACCOUNT_FILES)
def purge_account_files(keys: list[str]) -> str:
    """Remove a deleted account's files (queued after the deletion commits)."""
    count = deletion.purge_files(current_storage(), keys)
    return f"{count} file name(s) of a deleted account purged."


# Periodic.


@periodic(PURGE_SEEN, every="TASK_PURGE_SEEN_SECONDS")
def purge_seen() -> str:
    """Delete seen-history rows older than FEED_SEEN_RETENTION_DAYS."""
    count = seen.purge_expired(db.session, feed_settings(), utcnow())
    db.session.commit()
    return f"{count} expired seen row(s) deleted."


@periodic(SWEEP_UPLOADS, every="TASK_SWEEP_UPLOADS_SECONDS")
def sweep_uploads() -> str:
    """Fail uploads still processing after STALE_UPLOAD_MINUTES (a worker
    died) and remove their files."""
    count = post_lifecycle.fail_stale_uploads(
        db.session,
        current_storage(),
        older_than=timedelta(minutes=current_app.config["STALE_UPLOAD_MINUTES"]),
        now=utcnow(),
    )
    return f"{count} stale upload(s) marked failed."


@at_start(RESUME_CLIPS)
def resume_clips() -> str:
    """Queue again the clips a stopped serving process was transcoding."""
    count = uploads.resume_interrupted_clips(utcnow())
    return f"{count} interrupted clip(s) queued again."


@periodic(FLUSH_VIEWS, every="VIEW_FLUSH_SECONDS")
def flush_views() -> str:
    """Add the buffered view counts to posts and profiles (exact after it runs)."""
    return view_flush.flush(db.session, view_buffer()).line()


@periodic(END_IDLE_LIVE, every="TASK_END_IDLE_LIVE_SECONDS")
def end_idle_live() -> str:
    """End live sessions that had no frame for LIVE_IDLE_MINUTES (each ends at
    its last frame, which is what its live hours count)."""
    count = live_sessions.end_idle(db.session, utcnow(), current_app.config["LIVE_IDLE_MINUTES"])
    db.session.commit()
    return f"{count} idle live session(s) ended."
