"""`make prod` / `make prod-stop`: a production-shaped SkyFrame on one machine,
without containers, on the parts production uses.

    python scripts/prod.py up       # start what is not running; return once all answers
    python scripts/prod.py down     # stop exactly what `up` started (by recorded PIDs)
    python scripts/prod.py status   # what runs, and the command that started each piece
    python scripts/prod.py env      # the environment the app processes get (shell syntax)

The pieces, each started by a plain command (`status` prints them) so an
operator can move any of them to a machine of its own:

- PostgreSQL: a cluster of its own under ``$PROD_DIR/postgres`` on port
  PROD_PORT+3, or the existing server ``DATABASE_URL`` names;
- Redis on PROD_PORT+4 (append-only file under ``$PROD_DIR/redis``), or
  ``REDIS_URL``: rate limits, the feed cache, the job queue;
- an S3-compatible server on PROD_PORT+5. The package registries hold no
  production S3 server, so this is moto's server: **a stand-in** that keeps
  objects in memory. So that a second run finds its files, ``down`` copies the
  bucket to ``$PROD_DIR/s3`` and ``up`` loads it back; a crash loses what was
  uploaded since the last ``down``. Point ``S3_ENDPOINT_URL`` at a real
  service (MinIO, Ceph, AWS) to leave it out;
- two gunicorn app servers on PROD_PORT+1 and +2;
- the events pool on PROD_PORT+6: a gunicorn of gthread workers that serves
  only the live pages' Server-Sent Events (nginx routes
  ``/api/v1/live/<id>/events`` there), so open streams never hold the app
  servers' threads. Each of its PROD_EVENTS_WORKERS processes (2) holds up
  to PROD_EVENTS_STREAMS streams (500, its LIVE_STREAMS_PER_PROCESS) on as
  many threads plus EVENTS_SPARE_THREADS, which answer the 503 beyond it;
- an RQ worker (with the periodic tasks' scheduler);
- nginx on PROD_PORT (default 8080), balancing over both app servers.

Everything lives under PROD_DIR (default instance/prod): data, logs
(``logs/``), the generated settings (``prod.env``, with a secret key made
once) and the PIDs (``run/pids.json``).
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import string
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
PROD_DIR = Path(os.environ.get("PROD_DIR") or ROOT / "instance" / "prod").resolve()
PROD_PORT = int(os.environ.get("PROD_PORT") or 8080)
APP_PORTS = (PROD_PORT + 1, PROD_PORT + 2)
POSTGRES_PORT, REDIS_PORT, S3_PORT = PROD_PORT + 3, PROD_PORT + 4, PROD_PORT + 5
EVENTS_PORT = PROD_PORT + 6
EVENTS_WORKERS = int(os.environ.get("PROD_EVENTS_WORKERS") or 2)
EVENTS_STREAMS = int(os.environ.get("PROD_EVENTS_STREAMS") or 500)
# Threads beyond the stream cap: they answer the 503 + Retry-After past it
# (instead of a connection left waiting in the accept queue).
EVENTS_SPARE_THREADS = 16
# A stream that reaches an app server anyway (nginx bypassed) holds at most
# this many of each worker's 4 threads.
APP_STREAMS_PER_PROCESS = 2
BUCKET = "skyframe"
DATABASE = "skyframe"
PIDS = PROD_DIR / "run" / "pids.json"
LOGS = PROD_DIR / "logs"
ENV_FILE = PROD_DIR / "prod.env"
WAIT_SECONDS = 60


@dataclass
class Piece:
    name: str
    command: list[str]
    pid: int | None = None


# Settings


def own_postgres() -> bool:
    return not os.environ.get("DATABASE_URL")


def own_redis() -> bool:
    return not os.environ.get("REDIS_URL")


def own_s3() -> bool:
    return not os.environ.get("S3_ENDPOINT_URL")


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or f"redis://127.0.0.1:{REDIS_PORT}/0"


def database_url() -> str:
    return (
        os.environ.get("DATABASE_URL")
        or f"postgresql+psycopg://postgres@127.0.0.1:{POSTGRES_PORT}/{DATABASE}"
    )


def s3_endpoint() -> str:
    return os.environ.get("S3_ENDPOINT_URL") or f"http://127.0.0.1:{S3_PORT}"


def write_env_file() -> None:
    """The app's settings, kept across runs (the secret key especially: a new
    one would sign everyone out)."""
    existing = {}
    if ENV_FILE.exists():
        from dotenv import dotenv_values

        existing = dotenv_values(ENV_FILE)
    redis = redis_url()
    settings = {
        "SKYFRAME_CONFIG": "production",
        "SECRET_KEY": existing.get("SECRET_KEY") or secrets.token_urlsafe(48),
        "PUBLIC_URL": f"http://127.0.0.1:{PROD_PORT}",
        "TRUSTED_HOSTS": f"127.0.0.1,localhost,127.0.0.1:{PROD_PORT},localhost:{PROD_PORT}",
        # TLS-less on loopback: no HTTPS redirects, no Secure-only cookies
        # (a client would not send them back over http://).
        "FORCE_HTTPS": "0",
        "HSTS_ENABLED": "0",
        "SESSION_COOKIE_SECURE": "0",
        "REMEMBER_COOKIE_SECURE": "0",
        "PROXY_FIX_X_FOR": "1",
        "PROXY_FIX_X_PROTO": "1",
        "DATABASE_URL": database_url(),
        "RATELIMIT_STORAGE_URI": redis,
        "FEED_CACHE_URL": redis,
        "JOBS_BACKEND": "rq",
        "RQ_REDIS_URL": redis,
        "PUBLISH_URL": redis,  # live events: every server and the events pool
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": os.environ.get("S3_BUCKET") or BUCKET,
        "S3_ENDPOINT_URL": s3_endpoint(),
        "S3_REGION": os.environ.get("S3_REGION") or "us-east-1",
        "S3_ACCESS_KEY_ID": os.environ.get("S3_ACCESS_KEY_ID") or "skyframe",
        "S3_SECRET_ACCESS_KEY": os.environ.get("S3_SECRET_ACCESS_KEY") or "skyframe-local",
        "METRICS_ENABLED": "1",
        "LOG_FORMAT": "json",
        "LOG_REQUESTS": "1",
        "MAIL_FILE_DIR": str(PROD_DIR / "mail"),
        "STATIC_BUILD_DIR": str(PROD_DIR / "static-build"),
    }
    ENV_FILE.parent.mkdir(parents=True, exist_ok=True)
    ENV_FILE.write_text("".join(f"{name}={value}\n" for name, value in settings.items()))
    ENV_FILE.chmod(0o600)


def app_environment(**extra: str) -> dict[str, str]:
    environment = {**os.environ, "SKYFRAME_ENV_FILE": str(ENV_FILE), **extra}
    environment.pop("DATABASE_URL", None)  # from prod.env, which names the one chosen
    return environment


# Starting and stopping


def recorded() -> dict[str, dict]:
    return json.loads(PIDS.read_text()) if PIDS.exists() else {}


def record(name: str, pid: int, command: list[str]) -> None:
    pids = recorded()
    pids[name] = {"pid": pid, "command": command}
    PIDS.parent.mkdir(parents=True, exist_ok=True)
    PIDS.write_text(json.dumps(pids, indent=2))


def alive(pid: int) -> bool:
    try:
        # A child of ours that died is a zombie until reaped (it would still
        # answer signal 0).
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass  # not our child: signal 0 tells
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running(name: str) -> bool:
    entry = recorded().get(name)
    return bool(entry) and alive(entry["pid"])


def spawn(name: str, command: list[str], *, env: dict | None = None, cwd: Path = ROOT) -> None:
    """Start ``command`` in a session of its own (it outlives this script),
    its output to logs/<name>.log, and record its PID."""
    if running(name):
        print(f"  {name}: running (pid {recorded()[name]['pid']})")
        return
    LOGS.mkdir(parents=True, exist_ok=True)
    with (LOGS / f"{name}.log").open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 (our own commands)
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
    record(name, process.pid, command)
    print(f"  {name}: started (pid {process.pid}): {' '.join(command)}")


def stop(name: str) -> None:
    entry = recorded().get(name)
    if not entry or not alive(entry["pid"]):
        return
    pid = entry["pid"]
    os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        if not alive(pid):
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
    print(f"  {name}: stopped (pid {pid})")


def wait_until(what: str, check, seconds: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # noqa: S110 (not up yet: ask again)
            pass
        time.sleep(0.3)
    raise SystemExit(f"{what} did not answer within {seconds:.0f} s; see {LOGS}/")


def http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
        return response.status == 200


# PostgreSQL


def postgres_bin(program: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{program}"))
    if found:
        return str(found[-1])
    path = shutil.which(program)
    if path is None:
        raise SystemExit(f"{program} not found: install PostgreSQL (apt install postgresql)")
    return path


def as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the postgres user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def start_postgres() -> None:
    data = PROD_DIR / "postgres"
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(data, user.pw_uid, user.pw_gid)
        subprocess.run(  # noqa: S603
            as_postgres([postgres_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    pid_file = data / "postmaster.pid"
    if not (pid_file.exists() and alive(int(pid_file.read_text().split()[0]))):
        options = f"-p {POSTGRES_PORT} -k {data} -c listen_addresses=127.0.0.1"
        command = [postgres_bin("pg_ctl"), "-D", str(data), "-l", str(data / "server.log")]
        subprocess.run(  # noqa: S603
            as_postgres([*command, "-o", options, "-w", "start"]),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"  postgres: started: {' '.join([*command, '-o', repr(options), 'start'])}")
    record("postgres", int(pid_file.read_text().split()[0]), ["pg_ctl", "-D", str(data), "start"])
    import psycopg

    admin = f"postgresql://postgres@127.0.0.1:{POSTGRES_PORT}/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')


def stop_postgres() -> None:
    """By its data folder, not the recorded PID: a restart (a fault run's)
    gives the server a new one."""
    data = PROD_DIR / "postgres"
    pid_file = data / "postmaster.pid"
    if pid_file.exists() and alive(int(pid_file.read_text().split()[0])):
        subprocess.run(  # noqa: S603
            as_postgres([postgres_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
        )
        print("  postgres: stopped")


# The S3 stand-in's bucket, kept across runs


def bucket_storage():
    from skyframe.storage import S3Storage

    return S3Storage(
        BUCKET,
        endpoint_url=s3_endpoint(),
        region="us-east-1",
        access_key_id="skyframe",
        secret_access_key="skyframe-local",  # noqa: S106 (the local stand-in's)
    )


def load_bucket() -> None:
    storage = bucket_storage()
    existing = {bucket["Name"] for bucket in storage.client.list_buckets()["Buckets"]}
    if BUCKET in existing:
        return
    storage.client.create_bucket(Bucket=BUCKET)
    kept = PROD_DIR / "s3" / BUCKET
    count = 0
    for path in sorted(kept.rglob("*")) if kept.is_dir() else []:
        if path.is_file():
            storage.save_file(path.relative_to(kept).as_posix(), path, "application/octet-stream")
            count += 1
    if count:
        print(f"  s3: loaded {count} files kept by the last `down`")


def keep_bucket() -> None:
    storage = bucket_storage()
    kept = PROD_DIR / "s3" / BUCKET
    fresh = kept.with_name(f".{BUCKET}.incoming")
    shutil.rmtree(fresh, ignore_errors=True)
    count = 0
    for key, _size in storage.files():
        target = fresh / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(storage.read(key))
        count += 1
    fresh.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(kept, ignore_errors=True)
    fresh.rename(kept)
    print(f"  s3: kept {count} files in {kept}")


# nginx


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("  nginx: not installed; installing Debian's (apt-get install nginx)")
        subprocess.run(["apt-get", "install", "-y", "-qq", "nginx"], check=True)  # noqa: S607
        return "/usr/sbin/nginx"
    raise SystemExit("nginx is not installed: apt install nginx")


def write_nginx_conf() -> Path:
    folder = PROD_DIR / "nginx"
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    LOGS.mkdir(parents=True, exist_ok=True)
    from config import BaseConfig

    template = string.Template((ROOT / "deploy" / "prod" / "nginx.conf").read_text())
    user = pwd.getpwuid(os.geteuid()).pw_name
    conf = template.safe_substitute(
        prod_dir=PROD_DIR,
        prod_port=PROD_PORT,
        app_port_1=APP_PORTS[0],
        app_port_2=APP_PORTS[1],
        events_port=EVENTS_PORT,
        user_line=f"user {user};" if os.geteuid() == 0 else "",
        upload_body_size=f"{BaseConfig.UPLOAD_MAX_BYTES // (1024 * 1024) + 1}m",
        # Per client address: a phone scrolling fast sends a few requests a
        # second, with bursts (a page, its images, a seen report).
        rate_per_second=os.environ.get("PROD_RATE_PER_SECOND", "20"),
        burst=os.environ.get("PROD_RATE_BURST", "60"),
        connections_per_client=os.environ.get("PROD_CONNECTIONS_PER_CLIENT", "20"),
    )
    path = folder / "nginx.conf"
    path.write_text(conf)
    return path


def start_nginx() -> None:
    conf = write_nginx_conf()
    pid_file = PROD_DIR / "nginx" / "nginx.pid"
    command = [nginx_binary(), "-p", str(PROD_DIR / "nginx"), "-c", str(conf)]
    if pid_file.exists() and alive(int(pid_file.read_text().strip() or 0)):
        subprocess.run([*command, "-s", "reload"], check=True)  # noqa: S603
    else:
        subprocess.run([*command, "-t", "-q"], check=True)  # noqa: S603
        subprocess.run(command, check=True)  # noqa: S603 (nginx daemonizes itself)
        print(f"  nginx: started: {' '.join(command)}")
    wait_until("nginx", lambda: pid_file.exists() and pid_file.read_text().strip())
    record("nginx", int(pid_file.read_text().strip()), command)


# Redis, the app servers and the worker (also restarted by loadtest/faults.py)


def start_redis() -> None:
    redis_dir = PROD_DIR / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    spawn(
        "redis",
        [
            shutil.which("redis-server") or "redis-server",
            "--bind", "127.0.0.1",
            "--port", str(REDIS_PORT),
            "--dir", str(redis_dir),
            # Every write on disk before Redis answers: a queued job survives
            # a crash of Redis, not only a clean stop.
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--save", "",
        ],
    )  # fmt: skip
    wait_until("redis", _redis_ping)


def start_app_server(index: int) -> None:
    name, port = f"app{index}", APP_PORTS[index - 1]
    metrics_dir = PROD_DIR / "metrics" / name
    if not running(name):
        shutil.rmtree(metrics_dir, ignore_errors=True)  # per the multiprocess docs
    metrics_dir.mkdir(parents=True, exist_ok=True)
    spawn(
        name,
        [
            str(BIN / "gunicorn"),
            "--workers", "2",
            "--threads", "4",
            "--worker-class", "gthread",
            "--bind", f"127.0.0.1:{port}",
            "--graceful-timeout", "20",
            "wsgi:app",
        ],
        env=app_environment(
            PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
            LIVE_STREAMS_PER_PROCESS=str(APP_STREAMS_PER_PROCESS),
        ),
    )  # fmt: skip


def events_command() -> list[str]:
    """The events pool: gthread workers with a thread per open stream (an
    SSE stream mostly waits, so threads are cheap: ~30 KB each measured),
    more threads than streams allowed so the cap can answer."""
    threads = EVENTS_STREAMS + EVENTS_SPARE_THREADS
    return [
        str(BIN / "gunicorn"),
        "--workers", str(EVENTS_WORKERS),
        "--worker-class", "gthread",
        "--threads", str(threads),
        "--worker-connections", str(threads),
        "--bind", f"127.0.0.1:{EVENTS_PORT}",
        # Open streams do not finish: a stopping worker drops them after 5 s
        # and the browsers reconnect (with Last-Event-ID) to the others.
        "--graceful-timeout", "5",
        "wsgi:app",
    ]  # fmt: skip


def start_events_pool() -> None:
    metrics_dir = PROD_DIR / "metrics" / "events"
    if not running("events"):
        shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True, exist_ok=True)
    spawn(
        "events",
        events_command(),
        env=app_environment(
            PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
            LIVE_STREAMS_PER_PROCESS=str(EVENTS_STREAMS),
        ),
    )


def start_worker() -> None:
    spawn("worker", [str(BIN / "flask"), "--app", "wsgi", "worker"], env=app_environment())


def kill(name: str) -> None:
    """SIGKILL a piece and everything it started (its process group): a crash."""
    entry = recorded().get(name)
    if entry and alive(entry["pid"]):
        os.killpg(entry["pid"], signal.SIGKILL)
        for _ in range(100):
            if not alive(entry["pid"]):
                break
            time.sleep(0.05)


# The commands


def up() -> None:
    for folder in (PROD_DIR, LOGS, PROD_DIR / "run", PROD_DIR / "metrics"):
        folder.mkdir(parents=True, exist_ok=True)
    print(f"SkyFrame production stack in {PROD_DIR}")
    if own_postgres():
        start_postgres()
    if own_redis():
        start_redis()
    if own_s3():
        spawn("s3", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(S3_PORT)])
        wait_until("s3", lambda: http_ok(f"{s3_endpoint()}/"))
        load_bucket()
    write_env_file()
    print("  migrations: flask db upgrade")
    subprocess.run(  # noqa: S603
        [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
        env=app_environment(),
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    for index in range(1, len(APP_PORTS) + 1):
        start_app_server(index)
    start_events_pool()
    start_worker()
    for port in (*APP_PORTS, EVENTS_PORT):
        wait_until(
            f"the app server on {port}", lambda p=port: http_ok(f"http://127.0.0.1:{p}/readyz")
        )
    start_nginx()
    wait_until("nginx", lambda: http_ok(f"http://127.0.0.1:{PROD_PORT}/readyz"))
    print(f"\nSkyFrame (production stack) is serving on http://127.0.0.1:{PROD_PORT}/")
    print(f"Logs in {LOGS}/; stop with `make prod-stop`.")


def _redis_ping() -> bool:
    from redis import Redis

    return bool(Redis.from_url(redis_url(), socket_timeout=1).ping())


def down() -> None:
    print(f"Stopping the production stack in {PROD_DIR}")
    if running("nginx"):
        subprocess.run(  # noqa: S603
            [*recorded()["nginx"]["command"], "-s", "quit"], check=False
        )
        for _ in range(50):
            if not running("nginx"):
                break
            time.sleep(0.1)
        stop("nginx")
    for name in ("app1", "app2", "events", "worker"):
        stop(name)
    if running("s3"):
        keep_bucket()
        stop("s3")
    stop("redis")
    stop_postgres()
    PIDS.unlink(missing_ok=True)


def status() -> None:
    pids = recorded()
    if not pids:
        print("Nothing is running (no run/pids.json).")
    for name, entry in pids.items():
        state = "running" if alive(entry["pid"]) else "stopped"
        print(f"{name:9} {state:8} pid {entry['pid']:<8} {' '.join(entry['command'])}")


def print_env() -> None:
    write_env_file()
    print(f"export SKYFRAME_ENV_FILE={ENV_FILE}")


def main() -> None:
    commands = {"up": up, "down": down, "status": status, "env": print_env}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        raise SystemExit(f"usage: {sys.argv[0]} {'|'.join(commands)}")
    commands[sys.argv[1]]()


if __name__ == "__main__":
    main()
