#!/usr/bin/env python3
"""SkyFrame admin CLI: the same commands as `flask users|motd|stats`.

.venv/bin/python scripts/skyframe_admin.py users list
.venv/bin/python scripts/skyframe_admin.py motd add "Title" "Body" --publish
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run from anywhere: the project root holds config.py and the skyframe package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import click
from flask.cli import FlaskGroup

from skyframe import create_app


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=False, load_dotenv=False)
def cli() -> None:
    """Administer a SkyFrame installation (config from SKYFRAME_CONFIG / DATABASE_URL)."""


if __name__ == "__main__":
    cli()
