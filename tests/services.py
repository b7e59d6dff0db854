"""Real services for tests: Redis, moto's S3 server, Celery worker and Flower processes.

Nothing here mocks: each fixture starts or connects to the real thing, waits
for it by polling with a deadline, and stops what it started.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parents[1]
TEST_REDIS_DB = 13  # ours alone: only this database is flushed


def wait_for(condition: Callable[[], object], timeout_s: float, what: str, interval_s: float = 0.1):
    """Polls `condition` until it returns something truthy, or fails after the deadline."""
    deadline = time.monotonic() + timeout_s
    last_error: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as error:  # noqa: BLE001 -- whatever a service that is not up yet raises
            last_error = error
        time.sleep(interval_s)
    raise TimeoutError(f"timed out after {timeout_s:.0f} s waiting for {what} (last error: {last_error})")


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (from /proc), children first: what a crash of a whole worker takes down."""
    children_file = Path(f"/proc/{pid}/task/{pid}/children")
    children = [int(c) for c in children_file.read_text().split()] if children_file.exists() else []
    return [grandchild for child in children for grandchild in process_tree(child)] + [pid]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_answers(url: str) -> bool:
    return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """The machine's Redis (database 13), or a private redis-server, or a skip saying why."""
    url = f"redis://127.0.0.1:6379/{TEST_REDIS_DB}"
    process = None
    try:
        _redis_answers(url)
    except redis.exceptions.RedisError:
        binary = shutil.which("redis-server")
        if not binary:
            pytest.skip("no Redis at 127.0.0.1:6379 and no redis-server installed to start one")
        port = free_port()
        process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                    "--appendonly", "no"], stdout=subprocess.DEVNULL)
        url = f"redis://127.0.0.1:{port}/{TEST_REDIS_DB}"
        wait_for(lambda: _redis_answers(url), 10, "private redis-server")
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    if process:
        process.terminate()
        process.wait(10)


@pytest.fixture
def fresh_redis(redis_url: str) -> str:
    """The test Redis database, emptied first: no message or result left by an earlier test.

    Job ids come from content, so two tests on the same video share ids, and a
    message an earlier test's worker gave back on shutdown would be taken by
    the next test's worker.
    """
    redis.Redis.from_url(redis_url).flushdb()
    return redis_url


@pytest.fixture
def rabbitmq_url() -> Iterator[str]:
    """A fresh virtual host on the RabbitMQ at 127.0.0.1:5672 (guest/guest), deleted afterwards."""
    if not shutil.which("rabbitmqctl"):
        pytest.skip("no RabbitMQ here (rabbitmqctl not found); the amqp:// broker is not tested")
    vhost = f"fittrack-test-{os.getpid()}-{free_port()}"
    added = subprocess.run(["rabbitmqctl", "add_vhost", vhost], capture_output=True, text=True, check=False)
    if added.returncode != 0:
        pytest.skip(f"cannot add a RabbitMQ virtual host: {added.stderr.strip()[:200]}")
    subprocess.run(["rabbitmqctl", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
                   capture_output=True, check=True)
    try:
        yield f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    finally:
        subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True, check=False)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto in server mode on a free loopback port: a real S3 API over HTTP."""
    import requests

    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    wait_for(lambda: requests.get(endpoint, timeout=1).status_code < 500, 30, "moto server")
    yield endpoint
    process.terminate()
    process.wait(10)


S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                  "AWS_DEFAULT_REGION": "us-east-1"}


class ServiceProcesses:
    """Processes started by one test, all stopped at its end (warmly, then killed)."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen] = []

    def start(self, name: str, command: list[str], env: dict[str, str], cwd: Path | None = None) -> subprocess.Popen:
        log = (self.log_dir / f"{name}.log").open("wb")
        process = subprocess.Popen(command, env=env, cwd=cwd or ROOT, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def log_text(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def service_env(settings: dict[str, str], home: Path) -> dict[str, str]:
    """Environment of a service process: ours plus the given FITTRACK_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FITTRACK_")}
    env.update(S3_CREDENTIALS)
    env.update(settings)
    env["FITTRACK_HOME"] = str(home)
    env["PYTHONPATH"] = str(ROOT)
    return env


def start_worker(services: ServiceProcesses, app, name: str, env: dict[str, str], concurrency: int = 1,
                 timeout_s: float = 60) -> subprocess.Popen:
    """A real `celery worker` process; returns once it answers a ping."""
    hostname = f"{name}@testhost"
    command = [sys.executable, "-m", "celery", "-A", "workers.app", "worker", "--loglevel=INFO",
               f"--concurrency={concurrency}", f"--hostname={hostname}", "--without-mingle", "--without-gossip"]
    process = services.start(name, command, env)

    def answers() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"worker {name} exited: {services.log_text(name)[-2000:]}")
        return bool(app.control.ping(destination=[hostname], timeout=0.5))

    wait_for(answers, timeout_s, f"worker {name}", interval_s=0.2)
    return process


POSTGRES_ADMIN_URL = os.environ.get("FITTRACK_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A database of its own on the machine's PostgreSQL (trust auth), dropped afterwards; a skip without one."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"fittrack_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        pytest.skip(f"no PostgreSQL answers at {POSTGRES_ADMIN_URL.split('@')[-1]} "
                    f"(set FITTRACK_TEST_POSTGRES to an admin URL): {str(error.orig).splitlines()[0]}")
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    from fittrack.history.database import engine_for

    engine_for(url).dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """The history database, once as the embedded SQLite file and once on the real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.sqlite'}"
    return request.getfixturevalue("postgres_url")
