"""SkyFrame configuration.

Three classes (development, testing, production) hold the defaults. Every
upper-case setting can be overridden by an environment variable of the same
name (or by ``instance/.env``, or the file ``SKYFRAME_ENV_FILE`` names);
:func:`load_config` does that when the app is created, never at import time.
``DATABASE_URL`` is accepted as the usual alias for ``SQLALCHEMY_DATABASE_URI``.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

# Host names every configuration trusts unless TRUSTED_HOSTS says otherwise.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
# Addresses a server listens on that no Host header names.
_WILDCARD_ADDRESSES = {"", "0.0.0.0", "::", "[::]"}  # noqa: S104

# Environment names that feed a differently named setting.
ENV_ALIASES = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI"}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(RuntimeError):
    """The configuration cannot run safely (for example production without a key)."""


WHOLE_NUMBER_RANGES = {
    "FEED_PAGE_SIZE": (1, 50),
    "FEED_FRESH_DAYS": (0, 36500),
    "FEED_PRIORITIZED_PCT": (0, 100),
    "FEED_CANDIDATE_MULTIPLIER": (1, 20),
    "FEED_MAX_PER_UPLOADER": (0, 50),
    "FEED_MAX_CONSECUTIVE_PER_UPLOADER": (0, 50),
    "FEED_SEEN_RETENTION_DAYS": (0, 36500),
    "FEED_SEEN_MAX_IDS": (0, 1_000_000),
    "FEED_PREFETCH_PAGES": (0, 20),
    "FEED_PREFETCH_SECONDS": (1, 86400),
    "SEARCH_RANK_WINDOW": (0, 1_000_000),
    "OFFLINE_IMAGES_MAX": (1, 100_000),
    "OFFLINE_IMAGES_MAX_KB": (1, 100_000_000),
    "LOGIN_BACKOFF_AFTER": (1, 1_000_000),
    "LOGIN_BACKOFF_WINDOW": (1, 30 * 86400),
    "LOGIN_BACKOFF_MAX_SECONDS": (1, 86400),
    "ARGON2_MAX_CONCURRENT": (1, 64),
    "ARGON2_MAX_WAITING": (0, 10_000),
    "TASK_PURGE_SEEN_SECONDS": (0, 30 * 86400),
    "TASK_SWEEP_UPLOADS_SECONDS": (0, 30 * 86400),
    "STALE_UPLOAD_MINUTES": (1, 30 * 1440),
    "STRIKE_TAKEDOWNS_PER_STRIKE": (1, 1000),
    "STRIKE_SUSPEND_AT": (1, 1000),
    "COLLECTION_MAX_ITEMS": (1, 100_000),
    "VIDEO_MAX_BYTES": (1, 1 << 40),
    "VIDEO_MAX_SECONDS": (1, 3600),
    "VIDEO_JOB_TIMEOUT": (10, 86400),
    "VIDEO_INLINE_QUEUE_SIZE": (1, 1000),
    "VIDEO_THREADS": (1, 64),
    "VIEW_FLUSH_SECONDS": (0, 86400),
    "WORKER_MAINTENANCE_SECONDS": (10, 86400),
    "LIVE_IDLE_MINUTES": (1, 1440),
    "LIVE_FRAMES_KEPT": (1, 100_000),
    "LIVE_NOTIFY_COOLDOWN_MINUTES": (0, 30 * 1440),
    "LIVE_STREAMS_PER_PROCESS": (1, 100_000),
    "LIVE_STREAM_MAX_SECONDS": (1, 86400),
    "LIVE_HEARTBEAT_SECONDS": (1, 300),
    "TASK_END_IDLE_LIVE_SECONDS": (0, 86400),
    "ACCESS_TOKENS_PER_USER": (1, 1000),
    "HOSTING_MIN_LIVE_HOURS": (0, 100_000),
    "HOSTING_MIN_ACCOUNT_DAYS": (0, 36500),
    "HOSTING_INTERVAL_SECONDS": (0, 86400),
}


class BaseConfig:
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE_DIR / 'skyframe.db'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    SQLALCHEMY_RECORD_QUERIES = False
    # A pooled connection idle longer than this is checked with a round trip
    # before use (0: before every use); see skyframe.database.ping_when_idle.
    DATABASE_PING_IDLE_SECONDS = 1.0

    # Requests: Flask has no body limit by default; uploads get their own
    # larger limit in the media issue.
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 512 * 1024
    # JSON bodies on the API are small; anything bigger is refused with 413.
    API_MAX_JSON_BYTES = 256 * 1024
    # Every route gets the smallest body it needs, refused (413) from the
    # headers before anything reads it (skyframe/requests.py): url-encoded
    # forms to the HTML pages, and any other body off the upload views.
    FORM_MAX_BYTES = 256 * 1024
    BODY_MAX_BYTES = 64 * 1024
    # Oversized requests per client address; past this they get 429.
    OVERSIZE_LIMIT = "20 per minute"

    # Hosts (skyframe/hosts.py): requests naming another host get 400. Empty:
    # localhost, 127.0.0.1, [::1], HOST and PUBLIC_URL's host; a leading dot
    # trusts subdomains. PUBLIC_URL (scheme://host[:port]) starts every
    # absolute URL the app builds (share tags, the HTTPS redirect).
    HOST = "127.0.0.1"
    TRUSTED_HOSTS: list[str] = []
    PUBLIC_URL = ""

    # Cookies and sessions (Flask's defaults are 31 days and SameSite=None).
    SESSION_COOKIE_NAME = "skyframe_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False

    # CSRF: every state-changing request, JSON included (X-CSRFToken header).
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # bound to the session instead of a clock
    WTF_CSRF_SSL_STRICT = True

    # Security headers.
    FORCE_HTTPS = False
    HSTS_ENABLED = False
    HSTS_MAX_AGE = 63072000  # two years

    # Send Server-Timing (the app's time per response) with every response.
    SERVER_TIMING = False

    # Reverse proxies in front of the app (0 = none: trust the socket address).
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0
    PROXY_FIX_X_PORT = 0
    PROXY_FIX_X_PREFIX = 0
    # The staff area (/admin, /api/v1/admin) only from these networks:
    # comma-separated CIDRs, IPv4 and IPv6; empty: from anywhere. Judged on
    # the client address after ProxyFix (skyframe/web/admin_networks.py).
    ADMIN_ALLOWED_NETWORKS: list[str] = []

    # Rate limiting (Flask-Limiter). memory:// is per process: use Redis when
    # more than one worker serves the app.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = "skyframe"
    RATELIMIT_ENABLED = True
    # If the limit storage (Redis) is unreachable, keep serving and count in
    # process memory until it is back; /readyz reports the degradation.
    # Other errors are not swallowed: a broken limit must not pass silently.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    LOGIN_LIMIT_PER_IP = "30 per minute;300 per hour"
    # Per account *and* client address (IPv6: /64): strangers elsewhere cannot
    # lock the owner out. Across all addresses an account only slows down:
    # after LOGIN_BACKOFF_AFTER failures within LOGIN_BACKOFF_WINDOW seconds
    # from browsers without its device cookie, such attempts are let through
    # one at a time, 1, 2, 4 … up to LOGIN_BACKOFF_MAX_SECONDS apart. A
    # browser that signed in to the account before (its signed device cookie)
    # skips both and the per-IP limit, and is limited on its own.
    LOGIN_LIMIT_PER_ACCOUNT = "10 per 15 minutes"
    LOGIN_LIMIT_PER_DEVICE = "10 per 15 minutes"
    LOGIN_BACKOFF_AFTER = 20
    LOGIN_BACKOFF_WINDOW = 3600
    LOGIN_BACKOFF_MAX_SECONDS = 60
    REGISTER_LIMIT_PER_IP = "10 per hour;50 per day"
    REGISTER_LIMIT_PER_EMAIL = "5 per hour"

    # Argon2id parameters (argon2-cffi's RFC 9106 low-memory profile by default).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4
    # Hashes running at once per process (each holds ARGON2_MEMORY_COST KiB),
    # and callers that may wait for one; beyond that: 503 with Retry-After.
    ARGON2_MAX_CONCURRENT = 2
    ARGON2_MAX_WAITING = 8

    MOTD_ENABLED = True

    # Password changes and resets. A reset link works once, for this long.
    PASSWORD_RESET_LIFETIME = timedelta(hours=1)
    # (S105: rate limits, not secrets.) Per client address, reset requests
    # and confirmations; per address asked for; per signed-in user.
    PASSWORD_RESET_LIMIT_PER_IP = "10 per hour"  # noqa: S105
    PASSWORD_RESET_LIMIT_PER_EMAIL = "3 per hour"  # noqa: S105
    PASSWORD_CHANGE_LIMIT = "5 per 15 minutes"  # noqa: S105

    # Outgoing mail (skyframe.mail): "file" writes each message to
    # MAIL_FILE_DIR and logs it (no mail server needed); "smtp" sends it.
    MAIL_BACKEND = "file"
    MAIL_FILE_DIR = str(INSTANCE_DIR / "mail")
    MAIL_SERVER = ""
    MAIL_PORT = 587
    MAIL_USE_TLS = True  # STARTTLS
    MAIL_USE_SSL = False  # implicit TLS (port 465)
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_SENDER = "SkyFrame <no-reply@localhost>"
    MAIL_TIMEOUT = 10.0

    # Media: where files live and how big uploads may be.
    STORAGE_BACKEND = "local"  # local | s3
    UPLOAD_FOLDER = str(BASE_DIR / "uploads")
    S3_BUCKET = ""
    S3_ENDPOINT_URL = ""  # empty: AWS; else any S3-compatible service
    S3_REGION = ""
    S3_ACCESS_KEY_ID = ""
    S3_SECRET_ACCESS_KEY = ""
    S3_PREFIX = ""
    S3_PRESIGN_SECONDS = 300
    UPLOAD_MAX_BYTES = 200 * 1024 * 1024
    UPLOAD_MAX_PIXELS = 100_000_000
    MEDIA_DISPLAY_EDGE = 2048
    MEDIA_THUMB_EDGE = 480
    # Decoder memory an upload may need, estimated from its header (422 beyond),
    # and decodes at a time per process (the others wait; 0: no limit).
    MEDIA_DECODE_BUDGET_MB = 400
    MEDIA_MAX_CONCURRENT = 1
    DOWNLOAD_LIMIT = "120 per minute"
    # Files under /media per client: originals (as many as downloads allow),
    # and renditions (a fast swipe through the feed loads a few per second).
    MEDIA_ORIGINAL_LIMIT = "60 per minute"
    MEDIA_RENDITION_LIMIT = "600 per minute"
    UPLOAD_LIMIT = "30 per hour;200 per day"  # per user: posts and avatars
    # Clips (docs/clips.md): the largest file (within UPLOAD_MAX_BYTES) and
    # the longest clip taken; transcodes go to their own queue (rq) with their
    # own timeout, or (inline) to one background thread of the serving process
    # whose queue holds VIDEO_INLINE_QUEUE_SIZE clips (503 beyond).
    # VIDEO_THREADS: decoder and x264 threads per transcode.
    VIDEO_MAX_BYTES = 200 * 1024 * 1024
    VIDEO_MAX_SECONDS = 180
    VIDEO_QUEUE = "skyframe-video"
    VIDEO_JOB_TIMEOUT = 900
    VIDEO_INLINE_QUEUE_SIZE = 8
    VIDEO_THREADS = 2

    # Jobs: inline (in the request) or rq (Redis queue, `flask worker`).
    JOBS_BACKEND = "inline"
    RQ_REDIS_URL = "redis://127.0.0.1:6379/0"
    RQ_QUEUE = "skyframe"
    RQ_JOB_TIMEOUT = 600
    # Address space each job's work-horse may add (RLIMIT_AS); 0: unlimited.
    WORKER_MEMORY_LIMIT_MB = 2048
    # How often a worker cleans RQ's registries: jobs abandoned by a dead
    # worker are retried then (RQ's own default is 10 minutes).
    WORKER_MAINTENANCE_SECONDS = 60
    # Periodic tasks (skyframe/tasks.py) without cron: with inline jobs a
    # thread of the serving process runs them, with rq `flask worker` queues
    # them (RQ's cron scheduler). Seconds between runs; 0 turns one off.
    TASKS_SCHEDULER = True
    TASK_PURGE_SEEN_SECONDS = 86400  # a scan of the whole seen history
    TASK_SWEEP_UPLOADS_SECONDS = 600
    # sweep-uploads fails uploads still processing after this long (keep it
    # well above RQ_JOB_TIMEOUT, and above how long uploads may wait queued).
    STALE_UPLOAD_MINUTES = 30
    # The feed (SPEC §3). 0 turns off a window, a cap or a limit.
    FEED_PAGE_SIZE = 10
    FEED_FRESH_DAYS = 30
    FEED_PRIORITIZED_PCT = 60
    FEED_CANDIDATE_MULTIPLIER = 3
    FEED_MAX_PER_UPLOADER = 3
    FEED_MAX_CONSECUTIVE_PER_UPLOADER = 1
    FEED_SEEN_ENABLED = True
    FEED_SEEN_RETENTION_DAYS = 30
    FEED_SEEN_MAX_IDS = 5000
    # Feed candidates are fetched this many pages ahead and kept for the next
    # pages of the viewer's pass (0: query every page). FEED_CACHE_URL is
    # where: memory:// is per process, so with several workers use Redis
    # (redis://host:6379/1); empty turns keeping off.
    FEED_PREFETCH_PAGES = 4
    FEED_PREFETCH_SECONDS = 900
    FEED_CACHE_URL = "memory://"
    CACHE_KEY_PREFIX = "skyframe"  # before every key SkyFrame keeps in Redis
    # Writes people make by hand, per user.
    INTERACTION_LIMIT = "120 per minute;3000 per day"  # likes, favourites, follows
    COMMENT_LIMIT = "10 per minute;300 per day"
    FEED_SEEN_LIMIT = "60 per minute"
    REPORT_LIMIT = "10 per hour"
    TICKET_LIMIT = "5 per hour;20 per day"  # support tickets opened
    TICKET_REPLY_LIMIT = "10 per minute;200 per day"  # owners' replies on their tickets
    # View counts (skyframe/viewcounts): reports per user or client address;
    # counted views wait in VIEW_BUFFER_URL (memory:// per process, or Redis;
    # empty: memory with inline jobs, RQ_REDIS_URL with rq) and are added to
    # the database every VIEW_FLUSH_SECONDS (0: only by `flask views flush`).
    VIEW_LIMIT = "120 per minute"
    VIEW_BUFFER_URL = ""
    VIEW_FLUSH_SECONDS = 60

    # Moderation: every STRIKE_TAKEDOWNS_PER_STRIKE take-downs of a user's posts
    # since their last strike issue one strike; at STRIKE_SUSPEND_AT active
    # strikes the account is suspended from posting and commenting.
    STRIKE_TAKEDOWNS_PER_STRIKE = 2
    STRIKE_SUSPEND_AT = 3
    # Live observing sessions (SPEC §9, skyframe/live): a session with no frame
    # for LIVE_IDLE_MINUTES is ended by the periodic task; a session keeps its
    # newest LIVE_FRAMES_KEPT frames; followers hear that a user went live at
    # most once per LIVE_NOTIFY_COOLDOWN_MINUTES.
    LIVE_IDLE_MINUTES = 15
    LIVE_FRAME_LIMIT = "20 per minute"
    LIVE_FRAMES_KEPT = 500
    LIVE_NOTIFY_COOLDOWN_MINUTES = 60
    # Server-Sent Events: streams one process holds at once (503 with
    # Retry-After beyond it; keep it below the events pool's threads), and how
    # long one stream lasts before the browser reconnects with Last-Event-ID.
    LIVE_STREAMS_PER_PROCESS = 400
    LIVE_STREAM_MAX_SECONDS = 3600
    # A comment line every LIVE_HEARTBEAT_SECONDS keeps proxies from closing
    # a quiet stream (and tells the server a viewer has gone).
    LIVE_HEARTBEAT_SECONDS = 15
    # The sweep that ends sessions idle for LIVE_IDLE_MINUTES (0: only by
    # `flask tasks run end-idle-live`).
    TASK_END_IDLE_LIVE_SECONDS = 60
    # Where events fan out: memory:// (one process) or a Redis URL (several
    # app servers); empty follows the jobs backend (memory with inline jobs,
    # RQ_REDIS_URL with rq).
    PUBLISH_URL = ""
    # Personal access tokens for capture software (skyframe/accounts/tokens.py).
    ACCESS_TOKENS_PER_USER = 20
    ACCESS_TOKEN_LIMIT = "60 per minute"  # noqa: S105
    # Hosting (seed 004): who may host, and how often the auto-host job runs
    # (0: only by `flask hosting run`).
    HOSTING_MIN_LIVE_HOURS = 10
    HOSTING_MIN_ACCOUNT_DAYS = 5
    HOSTING_INTERVAL_SECONDS = 600

    # Collections (SPEC §8): at most this many posts in one collection.
    COLLECTION_MAX_ITEMS = 1000
    # Search (SPEC §5): relevance ranks the newest N matches (0: all of them);
    # searches, typeahead and related posts share a per-client limit.
    SEARCH_RANK_WINDOW = 200
    SEARCH_LIMIT = "120 per minute;3000 per hour"

    # The service worker keeps the images people viewed for offline use, newest
    # first, up to both caps (older ones are dropped).
    OFFLINE_IMAGES_MAX = 120
    OFFLINE_IMAGES_MAX_KB = 50 * 1024

    # Static files (skyframe/static_files.py): their content-hashed copies,
    # gzip and Brotli compressed at start-up, are kept here.
    STATIC_BUILD_DIR = str(INSTANCE_DIR / "static-build")
    # Pages and JSON (Flask-Compress): Brotli or gzip, as the client accepts,
    # for bodies of at least this many bytes.
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIN_SIZE = 1024
    COMPRESS_BR_LEVEL = 5
    COMPRESS_STREAMS = False

    LOG_LEVEL = "INFO"
    # text: for a person at a terminal; json: one object per line, with the
    # request id and user id, for a log collector (skyframe/logs.py).
    LOG_FORMAT = "text"
    # One line per request (method, path, status, time, client, request id).
    LOG_REQUESTS = False
    # /metrics for Prometheus (skyframe/web/metrics.py), answered only to
    # these networks (comma-separated CIDRs, after ProxyFix).
    METRICS_ENABLED = False
    METRICS_ALLOWED_NETWORKS = "127.0.0.0/8,::1/128"
    TESTING = False
    DEBUG = False

    @classmethod
    def validate(cls, settings: dict[str, Any]) -> None:
        """Refuse settings that cannot work; extended per environment."""
        for name, (low, high) in WHOLE_NUMBER_RANGES.items():
            value = settings[name]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ConfigError(f"{name} must be a whole number from {low} to {high}")
        from skyframe.caches import is_cache_url

        if not is_cache_url(settings["FEED_CACHE_URL"]):
            raise ConfigError("FEED_CACHE_URL must be memory://, a redis:// URL or empty")
        if settings["VIEW_BUFFER_URL"] and not is_cache_url(settings["VIEW_BUFFER_URL"]):
            raise ConfigError("VIEW_BUFFER_URL must be memory://, a redis:// URL or empty")
        if settings["JOBS_BACKEND"] == "rq" and settings["VIEW_BUFFER_URL"] == "memory://":
            raise ConfigError(
                "VIEW_BUFFER_URL=memory:// needs JOBS_BACKEND=inline: with rq the flush runs "
                "in `flask worker`, which cannot read the web processes' memory"
            )
        if settings["PUBLISH_URL"] and not is_cache_url(settings["PUBLISH_URL"]):
            raise ConfigError("PUBLISH_URL must be memory://, a redis:// URL or empty")
        public = urlsplit(settings["PUBLIC_URL"])
        if settings["PUBLIC_URL"] and (
            public.scheme not in ("http", "https")
            or not public.hostname
            or public.path not in ("", "/")
            or public.query
            or public.fragment
            or public.username
        ):
            raise ConfigError(
                "PUBLIC_URL must be the site's origin, scheme://host[:port] "
                f"(e.g. https://skyframe.example), not {settings['PUBLIC_URL']!r}"
            )
        if settings["LOG_FORMAT"] not in ("text", "json"):
            raise ConfigError("LOG_FORMAT must be text or json")
        from skyframe.web.networks import parse_networks

        for name in ("ADMIN_ALLOWED_NETWORKS", "METRICS_ALLOWED_NETWORKS"):
            try:
                parse_networks(settings[name])
            except ValueError as exc:
                raise ConfigError(f"{name}: {exc}") from exc
        if settings["MAIL_BACKEND"] not in ("file", "smtp"):
            raise ConfigError("MAIL_BACKEND must be file or smtp")
        if settings["MAIL_BACKEND"] == "smtp" and not settings["MAIL_SERVER"]:
            raise ConfigError("MAIL_BACKEND=smtp needs MAIL_SERVER")


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"


class TestingConfig(BaseConfig):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-secret-key-not-for-production-use"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    # Cheap hashing keeps the suite fast; the parameters are still Argon2id.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
    WTF_CSRF_SSL_STRICT = False
    # Never the developer's instance/mail: tests pass a temporary folder.
    MAIL_FILE_DIR = ""
    # No background threads: tests run tasks themselves.
    TASKS_SCHEDULER = False


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    FORCE_HTTPS = True
    HSTS_ENABLED = True
    LOG_LEVEL = "INFO"
    LOG_FORMAT = "json"
    LOG_REQUESTS = True

    @classmethod
    def validate(cls, settings: dict[str, Any]) -> None:
        super().validate(settings)
        key = settings.get("SECRET_KEY") or ""
        if len(key) < 32 or key in _KNOWN_WEAK_KEYS:
            raise ConfigError(
                "Production needs a real SECRET_KEY (at least 32 random characters), "
                "set in the environment or instance/.env. Generate one with: "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        if not settings["TRUSTED_HOSTS"] and not settings["PUBLIC_URL"]:
            raise ConfigError(
                "Production needs PUBLIC_URL (the site's address, e.g. "
                "https://skyframe.example) or TRUSTED_HOSTS (the host names it answers "
                "to, comma-separated): requests naming any other host are refused."
            )
        if settings["JOBS_BACKEND"] == "rq" and settings["PUBLISH_URL"] == "memory://":
            raise ConfigError(
                "PUBLISH_URL=memory:// cannot serve several processes: with JOBS_BACKEND=rq "
                "the app servers, the events pool and the workers each have their own "
                "memory, so viewers would miss frames. Leave PUBLISH_URL empty (it then "
                "uses RQ_REDIS_URL) or name a redis:// URL."
            )
        if settings["FORCE_HTTPS"] and settings["PUBLIC_URL"].startswith("http://"):
            raise ConfigError("PUBLIC_URL must start with https:// while FORCE_HTTPS is on")


_KNOWN_WEAK_KEYS = {TestingConfig.SECRET_KEY, "dev", "change-me", "changeme", "secret"}

CONFIGS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def parse_env_value(raw: str, default: Any) -> Any:
    """Parse an environment string into the type of the setting's default."""
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ConfigError(f"expected a boolean, got {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError as exc:
            raise ConfigError(f"expected an integer, got {raw!r}") from exc
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError as exc:
            raise ConfigError(f"expected a number, got {raw!r}") from exc
    if isinstance(default, timedelta):
        try:
            return timedelta(seconds=int(raw))
        except ValueError as exc:
            raise ConfigError(f"expected a number of seconds, got {raw!r}") from exc
    if isinstance(default, list):
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def normalise_database_url(url: str) -> str:
    """Point bare PostgreSQL URLs at psycopg 3, the driver SkyFrame installs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def env_file_path() -> Path:
    """instance/.env, or the file SKYFRAME_ENV_FILE names (the test suite
    points it at nothing, so no test reads a developer's instance folder)."""
    named = os.environ.get("SKYFRAME_ENV_FILE")
    return Path(named) if named else INSTANCE_DIR / ".env"


def read_dotenv(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def load_config(
    config: str | type[BaseConfig] | None = None,
    environ: dict[str, str] | None = None,
    overrides: dict[str, Any] | None = None,
    dotenv_path: Path | None = None,
) -> dict[str, Any]:
    """Resolve the settings for one app: class defaults, then instance/.env,
    then the environment, then explicit overrides (tests). SKYFRAME_CONFIG may
    come from either of the first two."""
    environ = dict(os.environ if environ is None else environ)
    testing_requested = config == "testing" or config is TestingConfig
    dotenv = {} if testing_requested else read_dotenv(dotenv_path or env_file_path())
    sources = {**dotenv, **environ}
    if config is None:
        config = sources.get("SKYFRAME_CONFIG", "development")
    if isinstance(config, str):
        try:
            config_class = CONFIGS[config]
        except KeyError as exc:
            raise ConfigError(
                f"unknown SKYFRAME_CONFIG {config!r}; choose one of {', '.join(CONFIGS)}"
            ) from exc
    else:
        config_class = config
    if config_class.TESTING:
        sources = dict(environ)  # tests never read a developer's instance/.env

    settings = {name: getattr(config_class, name) for name in dir(config_class) if name.isupper()}

    for env_name, setting in ENV_ALIASES.items():
        if env_name in sources and setting not in sources:
            sources[setting] = sources[env_name]
    for name, default in settings.items():
        if name in sources and name != "ENV_NAME":
            try:
                settings[name] = parse_env_value(sources[name], default)
            except ConfigError as exc:
                raise ConfigError(f"{name}: {exc}") from exc
    settings.update(overrides or {})

    settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        settings["SQLALCHEMY_DATABASE_URI"]
    )
    if settings["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg"):
        # psycopg prepares a statement after five runs and PostgreSQL may then
        # pick a generic plan, which doubles the heavy feed query
        # (RESEARCH.md): plan every query for its parameters. JIT compiling
        # cost the feed's 0.2 ms candidate scan 40 ms at a million posts.
        # (Behind PgBouncer, let it pass the startup option:
        # ignore_startup_parameters = options.)
        options = dict(settings["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {
            "prepare_threshold": None,
            "options": "-c jit=off",
            **options.get("connect_args", {}),
        }
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not settings.get("SECRET_KEY") and config_class is not ProductionConfig:
        # A per-process key: sessions end when the dev server restarts.
        # `make run` writes a persistent one to instance/.env.
        settings["SECRET_KEY"] = secrets.token_urlsafe(48)
    config_class.validate(settings)
    settings["PUBLIC_URL"] = settings["PUBLIC_URL"].rstrip("/")
    settings["TRUSTED_HOSTS"] = resolve_trusted_hosts(settings)
    return settings


def resolve_trusted_hosts(settings: dict[str, Any]) -> list[str]:
    """TRUSTED_HOSTS as given, else the local names and HOST; PUBLIC_URL's
    host always. Flask receives the list as app.config["TRUSTED_HOSTS"]."""
    given = settings["TRUSTED_HOSTS"]
    if isinstance(given, str):
        given = given.split(",")
    hosts = [h for h in given if h.strip()] or [*LOCAL_HOSTS, settings["HOST"]]
    if settings["PUBLIC_URL"]:
        hosts.append(urlsplit(settings["PUBLIC_URL"]).netloc.rpartition("@")[2])
    resolved: list[str] = []
    for host in hosts:
        host = host.strip().lower()
        if ":" in host and not host.startswith("["):
            host = f"[{host}]" if host.count(":") > 1 else host.partition(":")[0]
        if host.startswith("[") and "]" in host:
            host = host[: host.index("]") + 1]
        try:
            host = host.encode("idna").decode("ascii") if not host.isascii() else host
        except UnicodeError as exc:
            raise ConfigError(f"TRUSTED_HOSTS: {host!r} is not a host name") from exc
        if host not in _WILDCARD_ADDRESSES and host not in resolved:
            resolved.append(host)
    return resolved
