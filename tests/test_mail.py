"""Outgoing mail: files in the embedded default, SMTP with STARTTLS and login
otherwise; settings checked at start-up."""

from __future__ import annotations

import email
from pathlib import Path

import pytest

from config import ConfigError, load_config
from skyframe import mail
from skyframe.mail import MailSettings


def settings(**changes) -> MailSettings:
    values = {
        "backend": "smtp",
        "file_dir": "",
        "server": "smtp.example.org",
        "port": 587,
        "use_tls": True,
        "use_ssl": False,
        "username": "skyframe",
        "password": "secret",
        "sender": "SkyFrame <no-reply@example.org>",
        "timeout": 5.0,
    }
    return MailSettings(**{**values, **changes})


class FakeSMTP:
    """Records what smtplib would have been asked to do."""

    def __init__(self, host, port, timeout=None, context=None):
        self.calls = [("connect", host, port, timeout)]
        FakeSMTP.last = self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.calls.append(("quit",))

    def starttls(self, context=None):
        self.calls.append(("starttls",))

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        self.calls.append(("send", message["To"], message["Subject"]))


def test_smtp_uses_starttls_and_logs_in(monkeypatch):
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    mail.send(settings(), "vega@example.org", "Hello", "Clear skies.\n")
    assert FakeSMTP.last.calls == [
        ("connect", "smtp.example.org", 587, 5.0),
        ("starttls",),
        ("login", "skyframe", "secret"),
        ("send", "vega@example.org", "Hello"),
        ("quit",),
    ]


def test_implicit_tls_and_no_login(monkeypatch):
    monkeypatch.setattr(mail.smtplib, "SMTP_SSL", FakeSMTP)
    mail.send(settings(use_ssl=True, port=465, username=""), "vega@example.org", "Hi", "x\n")
    assert [call[0] for call in FakeSMTP.last.calls] == ["connect", "send", "quit"]


def test_the_file_backend_writes_one_message_per_file(tmp_path):
    folder = tmp_path / "mail"
    to_files = settings(backend="file", file_dir=str(folder))
    for subject in ("First", "Second"):
        mail.send(to_files, "vega@example.org", subject, "é\n")
    messages = [email.message_from_bytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]
    assert [m["Subject"] for m in messages] == ["First", "Second"]
    assert messages[0].get_payload(decode=True).decode() == "é\n"


def test_the_file_backend_needs_a_folder():
    with pytest.raises(RuntimeError, match="MAIL_FILE_DIR"):
        mail.send(settings(backend="file", file_dir=""), "vega@example.org", "x", "y")


def test_mail_settings_are_checked_at_start_up():
    with pytest.raises(ConfigError, match="MAIL_BACKEND"):
        load_config("testing", environ={"MAIL_BACKEND": "pigeon"})
    with pytest.raises(ConfigError, match="MAIL_SERVER"):
        load_config("testing", environ={"MAIL_BACKEND": "smtp"})
    assert load_config("development", environ={}, dotenv_path=Path("/nonexistent"))[
        "MAIL_FILE_DIR"
    ].endswith("instance/mail")
