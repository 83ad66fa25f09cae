"""App-scoped services for the code serving a request: the storage, the job
queue's settings, the password hasher, the feed's settings and cache, search.

``create_app`` binds each one to the app (``wiring.init_extensions``); doors
and request glue read them here, so none of them has to import the wiring."""

from __future__ import annotations

from flask import current_app

from skyframe import search
from skyframe.accounts.passwords import PasswordHashing
from skyframe.extensions import db
from skyframe.feed.ahead import Cache
from skyframe.feed.settings import FeedSettings
from skyframe.media.pipeline import MediaSettings
from skyframe.models import utcnow
from skyframe.publish import Broker
from skyframe.search.filters import SearchFilters
from skyframe.storage import Storage
from skyframe.viewcounts.buffer import ViewBuffer


def password_hashing() -> PasswordHashing:
    return current_app.extensions["skyframe.accounts.passwords"]


def current_storage() -> Storage:
    return current_app.extensions["skyframe.storage"]


def media_settings() -> MediaSettings:
    return current_app.extensions["skyframe.media"]


def feed_settings() -> FeedSettings:
    return current_app.extensions["skyframe.feed"]


def feed_cache() -> Cache | None:
    return current_app.extensions["skyframe.feed_cache"]


def broker() -> Broker:
    return current_app.extensions["skyframe.broker"]


def view_buffer() -> ViewBuffer:
    return current_app.extensions["skyframe.view_buffer"]


def search_page(filters: SearchFilters, cursor: str | None, limit: int) -> search.ResultPage:
    """A page of a search with this app's secret and settings."""
    return search.page(
        db.session,
        filters,
        secret=current_app.config["SECRET_KEY"],
        cursor=cursor,
        limit=limit,
        now=utcnow(),
        rank_window=current_app.config["SEARCH_RANK_WINDOW"],
    )
