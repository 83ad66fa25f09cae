"""Binds the shared extensions and blueprints to an app."""

from __future__ import annotations

from flask import Flask, current_app, has_app_context, request, url_for
from flask_login import AnonymousUserMixin
from sqlalchemy.orm import Session

from skyframe.accounts import login_sessions
from skyframe.accounts.passwords import PasswordHashing
from skyframe.admin import bp as admin_bp
from skyframe.api import bp as api_bp
from skyframe.auth import bp as auth_bp
from skyframe.caches import cache_from_url
from skyframe.database import ping_when_idle
from skyframe.extensions import (
    bootstrap,
    compress,
    csrf,
    db,
    limiter,
    login_manager,
    migrate,
)
from skyframe.feed.settings import FeedSettings
from skyframe.jobs import jobs_from_config
from skyframe.main import bp as main_bp
from skyframe.media.pipeline import MediaSettings
from skyframe.models import User, utcnow
from skyframe.paths import PROJECT_ROOT
from skyframe.publish import bind
from skyframe.publish_redis import broker_from_url
from skyframe.storage import storage_from_config
from skyframe.viewcounts.buffer import buffer_from_url
from skyframe.viewcounts.display import compact_count
from skyframe.web.errors import json_error, wants_json
from skyframe.web.static_files import init_static_files
from skyframe.web.urls import avatar_url

MIGRATIONS_DIR = "migrations"
# Kept feed candidates per process with FEED_CACHE_URL=memory:// (~2 KB each).
FEED_CACHE_MAX_ENTRIES = 5000


def init_extensions(app: Flask) -> None:
    # First, so its after-request step runs last, on the finished body.
    compress.init_app(app)
    db.init_app(app)
    with app.app_context():
        ping_when_idle(db.engine, app.config["DATABASE_PING_IDLE_SECONDS"])
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    # Flask-Limiter keeps "the storage is down" across init_app; the storage
    # just bound is a new one and is checked on its own first failure.
    limiter._storage_dead = False
    app.config["BOOTSTRAP_SERVE_LOCAL"] = True
    bootstrap.init_app(app)
    init_static_files(app)
    _init_login(app)
    app.jinja_env.globals["nav_url"] = nav_url

    app.jinja_env.globals["avatar_url"] = avatar_url
    app.jinja_env.filters["compact_count"] = compact_count
    app.extensions["skyframe.storage"] = storage_from_config(app.config)
    app.extensions["skyframe.jobs"] = jobs_from_config(app.config)
    app.extensions["skyframe.media"] = MediaSettings.from_config(app.config)
    app.extensions["skyframe.feed"] = settings = FeedSettings.from_config(app.config)
    app.extensions["skyframe.feed_cache"] = (
        cache_from_url(
            app.config["FEED_CACHE_URL"],
            key_prefix=f"{app.config['CACHE_KEY_PREFIX']}:",
            default_timeout=settings.prefetch_seconds,
            max_entries=FEED_CACHE_MAX_ENTRIES,
        )
        if settings.prefetch_pages
        else None
    )
    app.extensions["skyframe.broker"] = broker_from_url(
        publish_url(app.config), prefix=app.config["CACHE_KEY_PREFIX"]
    )
    bind(Session, _current_broker)
    app.extensions["skyframe.view_buffer"] = buffer_from_url(
        view_buffer_url(app.config), prefix=app.config["CACHE_KEY_PREFIX"]
    )
    app.extensions["skyframe.accounts.passwords"] = PasswordHashing(
        time_cost=app.config["ARGON2_TIME_COST"],
        memory_cost=app.config["ARGON2_MEMORY_COST"],
        parallelism=app.config["ARGON2_PARALLELISM"],
        max_concurrent=app.config["ARGON2_MAX_CONCURRENT"],
        max_waiting=app.config["ARGON2_MAX_WAITING"],
    )


def _current_broker():
    return current_app.extensions.get("skyframe.broker") if has_app_context() else None


def shared_state_url(config, name: str) -> str:
    """``config[name]``, or when empty: this process's memory with inline
    jobs (one process serves and runs the jobs), the jobs' Redis with rq
    (several processes, which cannot read each other's memory)."""
    if config[name]:
        return config[name]
    return "memory://" if config["JOBS_BACKEND"] == "inline" else config["RQ_REDIS_URL"]


def view_buffer_url(config) -> str:
    """Where counted views wait for the flush."""
    return shared_state_url(config, "VIEW_BUFFER_URL")


def publish_url(config) -> str:
    """Where live events fan out (skyframe/publish.py)."""
    return shared_state_url(config, "PUBLISH_URL")


def nav_url(endpoint: str, **values) -> str | None:
    """URL of a page, or None while the page does not exist yet."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


class Anonymous(AnonymousUserMixin):
    is_staff = False
    role = None


def _init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.anonymous_user = Anonymous

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        # The session (or remember-me cookie) holds a login-session token, so
        # logging out or disabling the account ends it on the server.
        return login_sessions.resolve(db.session, token, utcnow(), touch_engine=db.engine)

    @login_manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            return json_error(401, "Log in to do that.")
        from flask import flash, redirect, url_for

        flash(login_manager.login_message, login_manager.login_message_category)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(admin_bp, url_prefix="/admin")
