"""Faults injected for real: killed workers, a restarted broker, a flaky S3, time limits, killed writers.

Every wait polls with a deadline; every service is on 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from fittrack.errors import StoreKeyMissing
from fittrack.pose.extract import file_sha256
from fittrack.pose.table import from_parquet_bytes
from fittrack.settings import Settings
from fittrack.storage.keys import ROWS_PREFIX
from fittrack.storage.store import LocalStore, S3Store, open_store
from producer.enqueue import describe_outcomes, enqueue_videos, follow_jobs
from producer.upload import upload_dataset
from workers.app import create_app
from workers.jobs import EXTRACT_TASK, extraction_job_id, lost_jobs, redelivers_lost_jobs

from .conftest import shared_video
from .services import (
    S3_CREDENTIALS,
    ServiceProcesses,
    free_port,
    process_tree,
    service_env,
    start_worker,
    wait_for,
)

LONG_VIDEO = "deadlift/ffreaks_deadlift.mp4"  # 24 s
SHORT_VIDEOS = {"squat": "squat/kaggle_squat_18.mp4", "push_up": "push_up/kaggle_push-up_1.mp4",
                "pull_up": "pull_up/kaggle_pull_up_23.mp4"}


def settings_of(env: dict[str, str]) -> Settings:
    return Settings(**{k.removeprefix("FITTRACK_").lower(): v for k, v in env.items() if k.startswith("FITTRACK_")})


def make_dataset(root: Path, videos: dict[str, str]) -> Path:
    for label, relative in videos.items():
        (root / label).mkdir(parents=True, exist_ok=True)
        os.symlink(shared_video(relative), root / label / Path(relative).name)
    return root


@pytest.fixture
def services(tmp_path):
    processes = ServiceProcesses(tmp_path)
    yield processes
    processes.stop_all()


def rows_objects(store) -> list[str]:
    return [k for k in store.list(ROWS_PREFIX) if k.endswith(".parquet")]


def test_sigkilled_worker_process_job_is_redelivered_and_stored_once(fresh_redis, services, tmp_path):
    env = {"FITTRACK_BROKER_URL": fresh_redis, "FITTRACK_RESULT_BACKEND": fresh_redis,
           "FITTRACK_STORE_URL": (tmp_path / "store").as_uri(), "FITTRACK_SAMPLE_FPS": "10"}
    settings = settings_of(env)
    app, store = create_app(settings), open_store(settings)
    upload_dataset(make_dataset(tmp_path / "data", {"deadlift": LONG_VIDEO}), store, show_progress=False)
    for name in ("a", "b"):
        start_worker(services, app, f"kill-{name}", service_env(env, tmp_path / name))
    report = enqueue_videos(app, store)
    (_key, job_id), = report.sent.items()

    def running_pid() -> int | None:
        result = app.AsyncResult(job_id)
        if result.state == "PROGRESS" and result.info.get("done", 0) > 20:
            for tasks in (app.control.inspect(timeout=1).active() or {}).values():
                for task in tasks:
                    if task["id"] == job_id:
                        return task["worker_pid"]
        return None

    victim = wait_for(running_pid, 120, "the job to be half-way through on some worker process")
    os.kill(victim, signal.SIGKILL)
    outcomes = follow_jobs(app, report.job_ids, timeout_s=240, show_progress=False)
    assert [o.state for o in outcomes] == ["SUCCESS"], describe_outcomes(outcomes)
    assert describe_outcomes(outcomes).startswith("jobs: 1 done, 0 failed, 0 pending")
    assert app.AsyncResult(job_id).result["frames"] > 0
    objects = rows_objects(store)
    assert len(objects) == 1, "exactly one Parquet object for the video"
    rows = from_parquet_bytes(store.get_bytes(objects[0]))
    assert not rows["frame_index"].duplicated().any(), "no row twice"
    logs = services.log_text("kill-a") + services.log_text("kill-b")
    assert "WorkerLostError" in logs or "SIGKILL" in logs, "the worker saw its process die"



@pytest.mark.parametrize("broker", ["redis", "rabbitmq"])
def test_a_killed_worker_node_is_taken_over_by_the_other_within_90_s(broker, request, fresh_redis, s3_endpoint,
                                                                     services, tmp_path):
    """kill -9 of a whole node. Redis would give its message back only after the visibility timeout (an hour
    and more): the follow loop sees the node silent and the heartbeat stale, and sends the job again.
    RabbitMQ gives the message back as soon as the dead node's connection drops."""
    import time

    broker_url = fresh_redis if broker == "redis" else request.getfixturevalue("rabbitmq_url")
    bucket = f"nodes-{free_port()}"
    os.environ.update(S3_CREDENTIALS)
    env = {"FITTRACK_BROKER_URL": broker_url, "FITTRACK_RESULT_BACKEND": fresh_redis,
           "FITTRACK_STORE_URL": f"s3://{bucket}/", "FITTRACK_S3_ENDPOINT_URL": s3_endpoint,
           "FITTRACK_S3_REGION": "us-east-1", "FITTRACK_SAMPLE_FPS": "10"}
    settings = settings_of(env)
    app, store = create_app(settings), open_store(settings)
    store.ensure_bucket()
    upload_dataset(make_dataset(tmp_path / "data", {"deadlift": LONG_VIDEO}), store, show_progress=False)
    nodes = {name: start_worker(services, app, name, service_env(env, tmp_path / name)) for name in ("na", "nb")}
    report = enqueue_videos(app, store)
    (_key, job_id), = report.sent.items()

    def running_node() -> str | None:
        result = app.AsyncResult(job_id)
        return result.info.get("node") if result.state == "PROGRESS" and result.info.get("done", 0) > 20 else None

    victim = wait_for(running_node, 120, "the job to be half-way through on one node").split("@")[0]
    for pid in process_tree(nodes[victim].pid):
        os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    outcomes = follow_jobs(app, report.job_ids, timeout_s=240, show_progress=False)
    taken_over_s = time.monotonic() - killed_at
    assert [o.state for o in outcomes] == ["SUCCESS"], describe_outcomes(outcomes)
    assert taken_over_s <= 90, f"finished {taken_over_s:.0f} s after the kill"
    survivor = ({"na", "nb"} - {victim}).pop()
    assert "already_done" in outcomes[0].result and not outcomes[0].result["already_done"]
    objects = rows_objects(store)
    assert len(objects) == 1
    rows = from_parquet_bytes(store.get_bytes(objects[0]))
    assert not rows["frame_index"].duplicated().any(), "no row twice"

    # The dead node's message, redelivered late (here: sent again as Redis would), finds the work done.
    before = store.head(objects[0])
    app.send_task(EXTRACT_TASK, args=[outcomes[0].video_key, "deadlift"], task_id=job_id)
    wait_for(lambda: services.log_text(survivor).count("succeeded in") >= 2, 60, "the late copy to end")
    assert "nothing to do" in services.log_text(survivor), "it found the rows and did not extract again"
    assert app.AsyncResult(job_id).result == outcomes[0].result, "the finished job's record stands"
    assert store.head(objects[0]) == before and rows_objects(store) == objects


def _embedded(tmp_path: Path) -> tuple[dict[str, str], Settings]:
    """The embedded mode (filesystem broker, sqlite results, local store) in a home of its own."""
    home = tmp_path / "home"
    return {"FITTRACK_SAMPLE_FPS": "10", "FITTRACK_HOME": str(home)}, Settings(home=home, sample_fps=10)


def test_embedded_worker_killed_whole_its_job_is_found_lost_and_sent_again(services, tmp_path):
    # The filesystem transport forgets a message once taken: killing the worker itself (not only a pool
    # process, which the worker would give back) loses the running job unless the producer notices.
    env, settings = _embedded(tmp_path)
    app, store = create_app(settings), open_store(settings)
    upload_dataset(make_dataset(tmp_path / "data", {"deadlift": LONG_VIDEO}), store, show_progress=False)
    worker = start_worker(services, app, "doomed", service_env(env, settings.home))
    report = enqueue_videos(app, store)
    (key, job_id), = report.sent.items()
    wait_for(lambda: app.AsyncResult(job_id).state == "PROGRESS" and app.AsyncResult(job_id).info["done"] > 20,
             120, "the job to be half-way through")
    for pid in process_tree(worker.pid):
        os.kill(pid, signal.SIGKILL)
    worker.wait(10)

    outcomes = follow_jobs(app, report.job_ids, workers_alive=lambda: worker.poll() is None, show_progress=False)
    assert [o.state for o in outcomes] == ["PROGRESS"], "following stops once the workers are gone"
    # A SIGKILL takes effect when the kernel gets to it: on a busy machine the pool process can outlive
    # its parent for a moment, so the loss is awaited with a deadline, not read once.
    wait_for(lambda: lost_jobs(app, [job_id]) == {job_id}, 30, "its worker process to be gone (the job lost)")

    start_worker(services, app, "second", service_env(env, settings.home))
    again = enqueue_videos(app, store)
    assert again.lost == [key] and again.sent == {key: job_id}, again.summary()
    assert "1 sent again after their worker was killed" in again.summary()
    outcomes = follow_jobs(app, again.job_ids, timeout_s=240, show_progress=False)
    assert [o.state for o in outcomes] == ["SUCCESS"], describe_outcomes(outcomes)
    assert len(rows_objects(store)) == 1



def test_fittrack_run_stops_when_its_workers_die_and_the_same_command_finishes_the_job(tmp_path):
    env, settings = _embedded(tmp_path)
    dataset = make_dataset(tmp_path / "data", {"deadlift": LONG_VIDEO})
    command = [sys.executable, "-m", "fittrack", "run", str(dataset), "--out", str(tmp_path / "out"),
               "--no-train", "--workers", "1"]
    app = create_app(settings)
    job_id = extraction_job_id("", file_sha256(shared_video(LONG_VIDEO)))
    with (tmp_path / "first.log").open("wb") as log:
        first = subprocess.Popen(command, env=service_env(env, settings.home), cwd=tmp_path,
                                 stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: app.AsyncResult(job_id).state == "PROGRESS", 120, "the job to be running")
            for pid in process_tree(first.pid)[:-1]:  # the workers `run` started, not `run` itself
                os.kill(pid, signal.SIGKILL)
            assert first.wait(60) == 1, "run stops and fails once its workers are gone"
        finally:
            if first.poll() is None:
                first.kill()
    first_output = (tmp_path / "first.log").read_text()
    assert "Run the same command again" in first_output and "0 done, 0 failed, 1 pending" in first_output

    second = subprocess.run(command, env=service_env(env, settings.home), cwd=tmp_path, capture_output=True,
                            text=True, timeout=300, check=False)
    output = second.stdout + second.stderr
    assert second.returncode == 0, output
    assert "1 sent again after their worker was killed" in output and "jobs: 1 done, 0 failed" in output
    assert len(rows_objects(open_store(settings))) == 1


def test_embedded_queued_job_is_never_counted_lost(tmp_path):
    # A worker deletes the message file some milliseconds before it records STARTED: in that gap the
    # job is QUEUED without a message, and sending it again would run it twice.
    _env, settings = _embedded(tmp_path)
    app, store = create_app(settings), open_store(settings)
    upload_dataset(make_dataset(tmp_path / "data", {"squat": SHORT_VIDEOS["squat"]}), store, show_progress=False)
    job_id, = enqueue_videos(app, store).sent.values()  # no worker: it waits in the queue folder
    for message in (settings.broker_folder() / "queue").glob("*.msg"):
        message.unlink()  # what a worker does when it takes the message
    assert lost_jobs(app, [job_id]) == set()
    again = enqueue_videos(app, store)
    assert not again.sent and list(again.already_queued.values()) == [job_id], again.summary()
    assert not redelivers_lost_jobs(app)
    assert redelivers_lost_jobs(create_app(Settings(home=tmp_path, broker_url="redis://127.0.0.1:6379/13")))


def _private_redis(tmp_path: Path, port: int) -> subprocess.Popen:
    binary = shutil.which("redis-server")
    if not binary:
        pytest.skip("redis-server is not installed: the broker-restart test needs a private one")
    (tmp_path / "redis").mkdir(exist_ok=True)
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path / "redis"),
                                "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
                               stdout=subprocess.DEVNULL)
    import redis

    wait_for(lambda: redis.Redis(port=port, socket_connect_timeout=1).ping(), 20, "private redis-server")
    return process


def test_broker_restart_mid_run_loses_nothing(services, tmp_path):
    port = free_port()
    broker = _private_redis(tmp_path, port)
    url = f"redis://127.0.0.1:{port}/0"
    env = {"FITTRACK_BROKER_URL": url, "FITTRACK_RESULT_BACKEND": url, "FITTRACK_SAMPLE_FPS": "10",
           "FITTRACK_STORE_URL": (tmp_path / "store").as_uri(), "FITTRACK_BROKER_VISIBILITY_TIMEOUT_SECONDS": "20"}
    settings = settings_of(env)
    app, store = create_app(settings), open_store(settings)
    videos = {**SHORT_VIDEOS, "deadlift": "deadlift/sebitzu_deadlift.mp4", "hammer_curl": "hammer_curl/odil_hammer_curl.mp4"}
    upload_dataset(make_dataset(tmp_path / "data", videos), store, show_progress=False)
    try:
        for name in ("a", "b"):
            start_worker(services, app, f"restart-{name}", service_env(env, tmp_path / name))
        report = enqueue_videos(app, store)
        wait_for(lambda: any(app.AsyncResult(j).state == "PROGRESS" for j in report.sent.values()), 120,
                 "a job in progress")
        broker.send_signal(signal.SIGTERM)  # Redis goes away in the middle of the run
        broker.wait(30)
        broker = _private_redis(tmp_path, port)  # and comes back on the same port, with its data
        outcomes = follow_jobs(app, report.job_ids, timeout_s=300, show_progress=False)
    finally:
        broker.terminate()
        broker.wait(30)
    assert [o.state for o in outcomes] == ["SUCCESS"] * len(videos), describe_outcomes(outcomes)
    assert len(rows_objects(store)) == len(videos), "one Parquet object per video, none lost"


class FlakyS3Proxy:
    """An S3 endpoint that answers 503 SlowDown to its first `failures` requests, then forwards to moto."""

    def __init__(self, upstream: str, failures: int) -> None:
        self.failures, self.seen = failures, 0
        lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _forward(self) -> None:
                with lock:
                    proxy.seen += 1
                    fail = proxy.seen <= proxy.failures
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if fail:
                    payload = b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
                    self.send_response(503)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                answer = requests.request(self.command, upstream + self.path, data=body, timeout=30,
                                          headers={k: v for k, v in self.headers.items() if k.lower() != "host"})
                self.send_response(answer.status_code)
                for name, value in answer.headers.items():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(answer.content)

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def test_transient_store_errors_are_retried_and_permanent_ones_fail_at_once(fresh_redis, s3_endpoint, services,
                                                                           tmp_path):
    bucket = f"flaky-{free_port()}"
    os.environ.update(S3_CREDENTIALS)
    direct = S3Store(bucket, endpoint_url=s3_endpoint, region="us-east-1")
    direct.ensure_bucket()
    upload_dataset(make_dataset(tmp_path / "data", {"squat": SHORT_VIDEOS["squat"]}), direct, show_progress=False)
    proxy = FlakyS3Proxy(s3_endpoint, failures=0)
    env = {"FITTRACK_BROKER_URL": fresh_redis, "FITTRACK_RESULT_BACKEND": fresh_redis, "FITTRACK_SAMPLE_FPS": "5",
           "FITTRACK_STORE_URL": f"s3://{bucket}/", "FITTRACK_S3_ENDPOINT_URL": proxy.url}
    app = create_app(settings_of(env))
    try:
        start_worker(services, app, "flaky", service_env(env, tmp_path / "w"))
        proxy.seen, proxy.failures = 0, 8  # more than boto3's own 3 attempts, twice over
        report = enqueue_videos(app, direct)
        outcomes = follow_jobs(app, report.job_ids, timeout_s=180, show_progress=False)
        assert [o.state for o in outcomes] == ["SUCCESS"], describe_outcomes(outcomes)
        assert services.log_text("flaky").count("Retry in") >= 2, "retried with backoff, not failed"

        missing = app.send_task(EXTRACT_TASK, args=["videos/squat/not_there.mp4", "squat"])
        wait_for(lambda: missing.state == "FAILURE", 60, "the missing-key job to fail")
        assert "not found in the store" in str(missing.result)
        assert (missing.retries or 0) == 0, "a missing key is not retried"
    finally:
        proxy.close()
    assert len(rows_objects(direct)) == 1


def test_job_past_its_time_limit_fails_cleanly_and_the_worker_takes_the_next(fresh_redis, services, tmp_path):
    # 2 s for any job: the 24 s video (240 frames at 10 fps) needs ~5 s, the 3.7 s one (37 frames) < 1 s.
    env = {"FITTRACK_BROKER_URL": fresh_redis, "FITTRACK_RESULT_BACKEND": fresh_redis, "FITTRACK_SAMPLE_FPS": "10",
           "FITTRACK_STORE_URL": (tmp_path / "store").as_uri(), "FITTRACK_JOB_TIME_FLOOR_SECONDS": "2",
           "FITTRACK_JOB_TIME_PER_VIDEO_SECOND": "0.01"}
    settings = settings_of(env)
    app, store = create_app(settings), open_store(settings)
    upload_dataset(make_dataset(tmp_path / "data", {"deadlift": LONG_VIDEO}), store, show_progress=False)
    worker = start_worker(services, app, "limited", service_env(env, tmp_path / "w"))
    report = enqueue_videos(app, store)
    outcomes = follow_jobs(app, report.job_ids, timeout_s=120, show_progress=False)
    assert outcomes[0].state == "FAILURE" and "past the time limit" in outcomes[0].reason
    assert not rows_objects(store), "a stopped job writes nothing"
    short = shared_video(SHORT_VIDEOS["squat"])  # the next job, for the same worker
    store.put_file(f"videos/squat/{short.name}", short)
    next_report = enqueue_videos(app, store)
    next_outcomes = follow_jobs(app, next_report.job_ids, timeout_s=120, show_progress=False)
    assert [o.state for o in next_outcomes] == ["SUCCESS"], describe_outcomes(next_outcomes)
    assert worker.poll() is None, "the worker survived"


_SLOW_WRITER = """
import sys, time
from pathlib import Path
from fittrack.storage.store import LocalStore

class Slow:
    def __init__(self): self.sent = 0
    def read(self, size=-1):
        if self.sent > 50 * 2**20: return b""
        self.sent += 1 << 16
        if self.sent > 1 << 20:
            print("half-way", flush=True); time.sleep(60)
        return b"x" * (1 << 16)

store = LocalStore(Path(sys.argv[1]))
store._put("rows/partial.parquet", lambda out: __import__("shutil").copyfileobj(Slow(), out), None)
"""


def test_writer_killed_mid_write_leaves_no_object_a_reader_could_take(tmp_path):
    store_root = tmp_path / "store"
    writer = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, str(store_root)], stdout=subprocess.PIPE,
                              text=True, cwd=Path(__file__).resolve().parents[1])
    assert writer.stdout.readline().strip() == "half-way"
    writer.send_signal(signal.SIGKILL)
    writer.wait(10)
    store = LocalStore(store_root)
    assert list(store.list("rows/")) == [], "the half-written file is not listed"
    assert not store.exists("rows/partial.parquet")
    with pytest.raises(StoreKeyMissing):
        store.get_bytes("rows/partial.parquet")
    leftovers = list((store_root / "rows").glob(".tmp-*"))
    assert leftovers and all(p.stat().st_size >= 1 << 20 for p in leftovers), "the bytes went to a temp name only"
