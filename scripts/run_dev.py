"""`make run`: make sure instance/.env has a secret key, migrate, and serve.

HOST and PORT (default 127.0.0.1:5000) and DATABASE_URL come from the
environment or instance/.env.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ENV_FILE = ROOT / "instance" / ".env"


def ensure_secret_key() -> None:
    """Give a new checkout a persistent random key, so sessions survive restarts."""
    from dotenv import dotenv_values

    existing = dotenv_values(ENV_FILE) if ENV_FILE.exists() else {}
    if os.environ.get("SECRET_KEY") or existing.get("SECRET_KEY"):
        return
    ENV_FILE.parent.mkdir(exist_ok=True)
    with ENV_FILE.open("a") as handle:
        handle.write(f"SECRET_KEY={secrets.token_urlsafe(48)}\n")
    ENV_FILE.chmod(0o600)
    print(f"Wrote a new SECRET_KEY to {ENV_FILE.relative_to(ROOT)}")


def main() -> None:
    ensure_secret_key()
    from dotenv import dotenv_values
    from flask_migrate import upgrade

    from skyframe import create_app
    from skyframe.web.serving import QuietRequestHandler

    settings = {**dotenv_values(ENV_FILE), **os.environ}
    host = settings.get("HOST") or "127.0.0.1"
    port = int(settings.get("PORT") or 5000)

    app = create_app()
    with app.app_context():
        upgrade()
    print(f"SkyFrame is serving on http://{host}:{port}/ (Ctrl+C to stop)")
    app.run(
        host=host,
        port=port,
        debug=app.config.get("DEBUG", False),
        use_reloader=False,
        request_handler=QuietRequestHandler,
    )


if __name__ == "__main__":
    main()
