"""What SkyFrame counts for Prometheus (``/metrics``, see skyframe/web/metrics.py).

The metric objects live here, apart from any door, so domain code can count
(e.g. the feed's cache) without knowing how the numbers are served. Counting
costs a lock and an add whether or not ``/metrics`` is on.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

# Buckets around the feed's and pages' budgets (a page p99 of 20 ms, an
# upload of seconds).
LATENCY_BUCKETS = (0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUEST_SECONDS = Histogram(
    "skyframe_request_duration_seconds",
    "Time from a request reaching the app to its response, per endpoint.",
    ["endpoint", "method", "status"],
    buckets=LATENCY_BUCKETS,
)

FEED_CACHE = Counter(
    "skyframe_feed_cache_lookups",
    "Feed pages that found their candidates in the cache (hit) or asked the database (miss).",
    ["result"],
)


def feed_cache_lookup(hit: bool) -> None:
    FEED_CACHE.labels("hit" if hit else "miss").inc()
