"""workers.jobs, the job contract: names, sending, lost jobs and what each state tells a person."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from fittrack.settings import Settings
from workers.app import create_app
from workers.jobs import (
    EXTRACT_TASK,
    QUEUED,
    JobKind,
    JobRef,
    analysis_job_id,
    describe_job,
    extraction_job_id,
    parse_job_id,
    send_job,
    training_job_id,
    upload_of_job,
    worker_process_gone,
)

SHA = "0f" * 32
UPLOAD = "ab" * 16


def test_every_job_id_parses_back_to_what_it_was_made_for():
    assert parse_job_id(extraction_job_id("videos/squat/a.mp4", SHA)) == JobRef(JobKind.EXTRACTION, SHA)
    assert parse_job_id(analysis_job_id(UPLOAD)) == JobRef(JobKind.ANALYSIS, UPLOAD)
    training = parse_job_id(training_job_id())
    assert training is not None and training.kind is JobKind.TRAINING
    assert training_job_id() != training_job_id()


def test_same_content_same_job_and_a_key_without_a_hash_still_gets_a_stable_one():
    assert extraction_job_id("videos/a/x.mp4", SHA) == extraction_job_id("videos/b/y.mp4", SHA)
    fallback = extraction_job_id("videos/a/x.mp4", None)
    assert fallback == extraction_job_id("videos/a/x.mp4", "") != extraction_job_id("videos/a/z.mp4", None)
    assert parse_job_id(fallback) is not None


@pytest.mark.parametrize("text", [
    "", "analyse-", "analyse", f"analyse-{UPLOAD}x", f"analyse-{UPLOAD.upper()}", f"analyse-{UPLOAD}\x00",
    "x" * 10_000, f"extract-{UPLOAD}", f"upload-{UPLOAD}", "analyse-../../etc/passwd", f"Analyse-{UPLOAD}",
])
def test_anything_else_is_not_a_job_of_ours(text):
    assert parse_job_id(text) is None and upload_of_job(text) is None


def test_only_an_analysis_job_names_an_upload():
    assert upload_of_job(analysis_job_id(UPLOAD)) == UPLOAD
    assert upload_of_job(extraction_job_id("", SHA)) is None


def test_a_sent_job_reads_queued_with_its_record_before_any_worker_takes_it(tmp_path):
    app = create_app(Settings(home=tmp_path))
    job_id = extraction_job_id("videos/squat/a.mp4", SHA)
    send_job(app, EXTRACT_TASK, job_id, args=["videos/squat/a.mp4", "squat"], record={"video_key": "v"})
    result = app.AsyncResult(job_id)
    assert result.state == QUEUED and result.info["video_key"] == "v" and result.info["submitted_at"] > 0
    assert len(list((tmp_path / "broker" / "queue").iterdir())) == 1, "one message waits in the queue"
    assert describe_job(result.state, result.info).state == "queued"


def test_a_record_naming_an_exited_process_on_this_machine_is_gone_and_only_that():
    exited = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                            text=True, check=True)
    here = socket.gethostname()
    assert worker_process_gone({"pid": int(exited.stdout), "machine": here})
    assert worker_process_gone({"pid": int(exited.stdout), "hostname": f"celery@{here}"})
    assert not worker_process_gone({"pid": int(exited.stdout), "machine": "another-machine"})
    assert not worker_process_gone({"pid": os.getpid(), "machine": here})
    assert not worker_process_gone({"machine": here}) and not worker_process_gone(None)


@pytest.mark.parametrize(("state", "info", "expected", "says"), [
    (QUEUED, {"submitted_at": 1000.0}, "queued", "Queued"),
    (QUEUED, {"submitted_at": 900.0}, "waiting", "No worker has picked this job up in 100 s"),
    ("STARTED", {"pid": 1}, "processing", "started"),
    ("PROGRESS", {"done": 30, "total": 120, "stage": "render"}, "processing", "Rendering the annotated video: 30"),
    ("PROGRESS", {"done": 3, "total": 12}, "processing", "Finding the pose"),
    ("RETRY", None, "retrying", "retry by itself"),
    ("SUCCESS", {"frames": 3}, "done", "Done"),
    ("FAILURE", KeyError("secret internals"), "failed", "internal error"),
    ("REVOKED", None, "failed", "cancelled"),
    ("PENDING", None, "unknown", "No such job"),
])
def test_job_states_read_as_sentences(state, info, expected, says):
    status = describe_job(state, info, now=1000.0)
    assert status.state == expected and says in status.message and "secret" not in status.message


def test_progress_is_a_fraction_and_a_lost_job_reads_failed():
    assert describe_job("PROGRESS", {"done": 30, "total": 120}).fraction == 0.25
    assert describe_job("PROGRESS", {"pid": 1}, lost=True).state == "failed"

