"""Jobs left behind by a worker that died, given back to the queue at once.

A worker SIGKILLed (or its machine lost) mid-job leaves the job in the
queue's started registry. RQ hands such a job to its retries (or fails it)
only once the entry's heartbeat has run out (its monitoring interval plus a
minute) *and* a worker next cleans the registries — at its start, then every
maintenance interval (``WORKER_MAINTENANCE_SECONDS``). A worker restarted at
once comes back before the entry has run out, so the job would wait a whole
interval, its upload showing "processing" all that time.

So ``flask worker`` first looks at every started job: when the worker that
runs it is gone — its registration expired, or it was on this machine and
its process no longer exists — the entry is marked run out now and RQ's own
cleanup takes it from there (the job's retries, failure callbacks and all).
A job still running under a live worker is never touched.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def worker_is_gone(
    connection: Any,
    worker_name: str,
    *,
    hostname: str | None = None,
    exists: Callable[[int], bool] = process_exists,
) -> bool:
    """Whether the worker named ``worker_name`` can no longer finish its job."""
    if not worker_name:
        return False  # not started by a worker we could judge
    fields = connection.hgetall(f"rq:worker:{worker_name}")
    if not fields:
        return True  # its registration expired: no heartbeat for worker_ttl
    worker_host = fields.get(b"hostname", b"").decode()
    pid = fields.get(b"pid", b"").decode()
    if worker_host != (hostname or socket.gethostname()) or not pid.isdigit():
        return False  # another machine's worker: its registration will tell
    return not exists(int(pid))


def requeue_abandoned(queues: Iterable[Any], connection: Any, **judge: Any) -> int:
    """Hand every started job of a gone worker to RQ's abandoned-job path;
    how many were handed."""
    from rq.executions import Execution

    handed = 0
    for queue in queues:
        registry = queue.started_job_registry
        expired = {}
        for job_id, execution_id in registry.get_job_and_execution_ids(cleanup=False):
            execution = Execution(execution_id, job_id, connection=connection)
            execution.refresh()
            if worker_is_gone(connection, execution.worker_name, **judge):
                expired[f"{job_id}:{execution_id}"] = 0
                log.warning(
                    "job %s was running under worker %s, which is gone: handing it to its retries",
                    job_id,
                    execution.worker_name,
                )
        if expired:
            connection.zadd(registry.key, expired, xx=True)
            registry.cleanup(timestamp=0)
            handed += len(expired)
    return handed
