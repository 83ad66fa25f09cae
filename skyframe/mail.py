"""Outgoing e-mail, through SMTP (the standard library's smtplib) or, in the
embedded default, as files: ``MAIL_BACKEND=file`` writes each message to
``MAIL_FILE_DIR`` (``instance/mail/``) and logs where, so ``make run``
works without a mail server.

Messages go out through the job queue (``send-mail``): with
``JOBS_BACKEND=rq`` a slow mail server never holds a request, and the time
of a password-reset answer does not tell whether a message was sent.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from flask import current_app

from skyframe.jobs import current_jobs
from skyframe.models import utcnow

log = logging.getLogger(__name__)

BACKENDS = ("file", "smtp")
SEND_MAIL = "send-mail"


@dataclass(frozen=True)
class MailSettings:
    backend: str
    file_dir: str
    server: str
    port: int
    use_tls: bool
    use_ssl: bool
    username: str
    password: str
    sender: str
    timeout: float

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> MailSettings:
        return cls(
            backend=config["MAIL_BACKEND"],
            file_dir=config["MAIL_FILE_DIR"],
            server=config["MAIL_SERVER"],
            port=config["MAIL_PORT"],
            use_tls=config["MAIL_USE_TLS"],
            use_ssl=config["MAIL_USE_SSL"],
            username=config["MAIL_USERNAME"],
            password=config["MAIL_PASSWORD"],
            sender=config["MAIL_SENDER"],
            timeout=config["MAIL_TIMEOUT"],
        )


def build_message(settings: MailSettings, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.sender.rsplit("@", 1)[-1].strip("> "))
    # Plain ASCII goes as 7bit, so links stay whole on one line (quoted-printable
    # would break the reset link of a long host name); anything else as QP.
    message.set_content(body, cte="7bit" if body.isascii() else "quoted-printable")
    return message


def send(settings: MailSettings, to: str, subject: str, body: str) -> None:
    message = build_message(settings, to, subject, body)
    if settings.backend == "file":
        if not settings.file_dir:
            raise RuntimeError("MAIL_BACKEND is file but MAIL_FILE_DIR is empty")
        folder = Path(settings.file_dir)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{utcnow():%Y%m%dT%H%M%S.%f}-{secrets.token_hex(4)}.eml"  # sorts by time
        path = folder / name
        path.write_bytes(message.as_bytes())
        log.info("mail %r to %s written to %s (MAIL_BACKEND=file)", subject, to, path)
        return
    context = ssl.create_default_context()
    if settings.use_ssl:
        smtp = smtplib.SMTP_SSL(
            settings.server, settings.port, timeout=settings.timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
    with smtp:
        if settings.use_tls and not settings.use_ssl:
            smtp.starttls(context=context)
        if settings.username:
            smtp.login(settings.username, settings.password)
        smtp.send_message(message)
    log.info("mail %r to %s sent through %s", subject, to, settings.server)


def send_mail_job(to: str, subject: str, body: str) -> None:
    send(MailSettings.from_config(current_app.config), to, subject, body)


def deliver(to: str, subject: str, body: str) -> None:
    """Send a plain-text message through the job queue."""
    current_jobs().enqueue(SEND_MAIL, to, subject, body)
