"""``/metrics`` for Prometheus (off unless ``METRICS_ENABLED``): request
latency per endpoint, the job queues' depth and failures, the feed cache's
hits and misses. Answered only to ``METRICS_ALLOWED_NETWORKS`` (loopback by
default), judged like the staff area on the address after ProxyFix; anyone
else gets the site's 404.

Several worker processes (gunicorn) share their counts when
``PROMETHEUS_MULTIPROC_DIR`` names a folder they all write to (the
prometheus_client multiprocess mode); one process needs nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from skyframe import metrics
from skyframe.extensions import limiter
from skyframe.jobs import current_jobs
from skyframe.web.networks import address_allowed, parse_networks

METRICS_PATH = "/metrics"


def init_metrics(app: Flask) -> None:
    if not app.config["METRICS_ENABLED"]:
        return
    networks = parse_networks(app.config["METRICS_ALLOWED_NETWORKS"])
    app.extensions["skyframe.metrics_networks"] = networks
    app.before_request(_start_clock)
    app.after_request(_observe)
    app.add_url_rule(METRICS_PATH, "metrics", limiter.exempt(_metrics_view))


def _start_clock() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.pop("metrics_started", None)
    if started is not None and request.endpoint != "metrics":
        metrics.REQUEST_SECONDS.labels(
            # The route's name, never the path: ids in paths would make a
            # series per post.
            request.endpoint or "unmatched",
            request.method,
            str(response.status_code),
        ).observe(time.perf_counter() - started)
    return response


def _metrics_view() -> Response:
    if not address_allowed(
        request.remote_addr, current_app.extensions["skyframe.metrics_networks"]
    ):
        abort(404)
    return Response(generate_latest(_registry()), mimetype=CONTENT_TYPE_LATEST)


def _registry() -> CollectorRegistry:
    """This scrape's registry: the process's own metrics (or, under gunicorn
    with PROMETHEUS_MULTIPROC_DIR, every worker's), and the job queue."""
    scrape = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(scrape)
    else:
        scrape.register(_Process(REGISTRY))
    scrape.register(JobQueueCollector())
    return scrape


class _Process(Collector):
    """The process-wide registry, read as one collector of a scrape's."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterator:
        yield from self.registry.collect()


class JobQueueCollector(Collector):
    """The job queue as it is at the scrape: jobs waiting and failed (RQ's
    failed registry). A queue that cannot be read gives no sample and
    ``skyframe_jobs_queue_up 0``."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "skyframe_jobs_queue_up", "Whether the job queue could be read.", labels=["queue"]
        )
        queued = GaugeMetricFamily(
            "skyframe_jobs_queued", "Jobs waiting in the queue.", labels=["queue"]
        )
        failed = GaugeMetricFamily(
            "skyframe_jobs_failed", "Jobs in the queue's failed registry.", labels=["queue"]
        )
        for counts in current_jobs().counts_per_queue():
            queue = counts.queue or counts.backend
            up.add_metric([queue], 0 if counts.error else 1)
            if not counts.error:
                queued.add_metric([queue], counts.queued or 0)
                failed.add_metric([queue], counts.failed or 0)
        yield up
        yield queued
        yield failed
