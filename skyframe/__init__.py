"""SkyFrame: a mobile-first place for amateur astronomers to share the sky."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BaseConfig, load_config
from skyframe.paths import PROJECT_ROOT


def create_app(config: str | type[BaseConfig] | None = None, **overrides: Any) -> Flask:
    """Build a configured app: settings, extensions, blueprints, handlers, CLI,
    the task registry (and, in the embedded default, its scheduler).

    ``config`` names a class in ``config.py`` (default: ``SKYFRAME_CONFIG`` or
    development); keyword overrides win over everything (used by tests).
    Nothing here touches the database or the network.
    """
    from skyframe.web.hosts import SkyFrameApp

    app = SkyFrameApp(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    from skyframe.web.requests import SkyFrameRequest

    app.request_class = SkyFrameRequest
    app.config.update(load_config(config, overrides=overrides))
    from skyframe.logs import configure_logging

    configure_logging(app)
    _apply_proxy_fix(app)
    from skyframe.web.admin_networks import init_admin_networks

    init_admin_networks(app)  # first of the before-request steps
    if app.config["SERVER_TIMING"]:
        from skyframe.web.timing import ServerTiming

        app.wsgi_app = ServerTiming(app.wsgi_app)  # type: ignore[method-assign]

    from skyframe import database  # noqa: F401  (registers SQLite pragmas)
    from skyframe.web.converters import DatabaseIdConverter
    from skyframe.web.metrics import init_metrics
    from skyframe.web.request_log import init_request_log
    from skyframe.web.security import init_security
    from skyframe.wiring import init_extensions, register_blueprints

    app.url_map.converters["int"] = DatabaseIdConverter
    init_extensions(app)
    init_security(app)
    init_request_log(app)
    init_metrics(app)
    register_blueprints(app)

    from skyframe import tasks  # noqa: F401  (every job and schedule, whatever routes load)
    from skyframe.cli import register_cli
    from skyframe.schedules import init_schedules
    from skyframe.web.errors import register_error_handlers

    register_error_handlers(app)
    register_cli(app)
    init_schedules(app)
    return app


def _apply_proxy_fix(app: Flask) -> None:
    counts = {
        name: app.config[f"PROXY_FIX_X_{name.upper()}"]
        for name in ("for", "proto", "host", "port", "prefix")
    }
    if any(counts.values()):
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=counts["for"],
            x_proto=counts["proto"],
            x_host=counts["host"],
            x_port=counts["port"],
            x_prefix=counts["prefix"],
        )
