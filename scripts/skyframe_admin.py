#!/usr/bin/env python3
"""SkyFrame admin CLI: the same commands as `flask users|motd|stats`.

python scripts/skyframe_admin.py users list [--json]
python scripts/skyframe_admin.py motd add --title "Title" --body "Body" --publish
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run from anywhere: the project root holds config.py and the skyframe package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import click
from flask.cli import FlaskGroup

from config import ConfigError
from skyframe import create_app


def create_admin_app():
    """The app from SKYFRAME_CONFIG / DATABASE_URL; a bad setting is one line
    on stderr and exit status 1, not a traceback."""
    try:
        return create_app()
    except ConfigError as exc:
        raise click.ClickException(f"Configuration error: {exc}") from exc


@click.group(
    cls=FlaskGroup, create_app=create_admin_app, add_default_commands=False, load_dotenv=False
)
def cli() -> None:
    """Administer a SkyFrame installation (config from SKYFRAME_CONFIG / DATABASE_URL)."""


def main() -> int:
    """Run the CLI; a usage error is one ``Error:`` line on stderr (exit 2),
    not click's usage text around it: scripts read the reason."""
    try:
        code = cli.main(standalone_mode=False)
    except click.UsageError as exc:
        click.echo(f"Error: {exc.format_message()}", err=True)
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return 1
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
