"""All settings, read once from the environment (prefix `FITTRACK_`).

This is the only module that reads environment variables. The defaults are the
embedded mode: a filesystem broker, an sqlite result backend and a local store
under `.fittrack/` of the working directory, so a laptop needs no servers.
The distributed mode changes only these values (see README and .env.example).
S3 credentials are not settings of ours: boto3 reads its usual `AWS_*`
variables and files.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of fittrack; one instance is shared by all services."""

    model_config = SettingsConfigDict(env_prefix="FITTRACK_", extra="ignore")

    home: Path = Field(Path(".fittrack"), description="Folder for embedded-mode state.")
    broker_url: str = Field("", description="Celery broker; empty = filesystem:// under home.")
    result_backend: str = Field("", description="Celery results; empty = sqlite under home.")
    store_url: str = Field("", description="file:///path or s3://bucket/prefix; empty = home/store.")
    database_url: str = Field(
        "", description="History database (SQLAlchemy URL, postgresql+psycopg://...); empty = sqlite under home.")
    s3_endpoint_url: str | None = Field(None, description="S3 API endpoint (MinIO, moto); None = AWS.")
    s3_region: str | None = Field(None, description="Region for S3 clients; None = boto3's default.")

    sample_fps: float = Field(15.0, description="Frames per second analysed; 0 = every frame.")
    visibility_threshold: float = Field(0.5, description="Below it a landmark counts as unseen.")
    pose_detection_confidence: float = Field(0.8, description="PoseLandmarker detection/presence confidence.")
    pose_tracking_confidence: float = Field(0.6, description="PoseLandmarker tracking confidence.")
    pose_max_people: int = Field(1, description="People looked for per frame; the largest is described.")
    max_video_seconds: float = Field(
        1800.0, description="Longest video a worker accepts (a whole workout session fits).")
    upload_limit_mb: int = Field(200, description="Largest upload the webapp accepts.")
    render_memory_mb: int = Field(
        512, description="Analysed frames an analysis job keeps to render without decoding again; 0 = always decode.")
    mediapipe_logs: bool = Field(False, description="Show MediaPipe's native log output.")

    worker_pin_cpus: bool = Field(
        False, description="Pin each worker process to its own core (one `fittrack worker` per machine).")
    job_time_per_video_second: float = Field(3.0, description="Soft time limit per video second.")
    job_time_floor_seconds: float = Field(60.0, description="Smallest soft time limit of a job.")
    broker_visibility_timeout_seconds: float = Field(
        0.0, description="Redis redelivers a job unacknowledged this long; 0 = twice the hard time limit.")
    job_max_retries: int = Field(5, description="Retries for transient store/network errors.")
    broker_prune_after_seconds: float = Field(
        120.0, description="Embedded mode: unbind fanout queues whose messages wait this long; 0 = never.")

    model_key: str = Field("models/exercise.model", description="Store key of the trained model.")

    live_ice_servers: str = Field(
        "", description='Live page: WebRTC ICE servers as JSON, e.g. [{"urls": ["stun:stun.example.org:3478"]}]; '
        "empty = none (localhost and a LAN need none).")
    single_user: bool | None = Field(
        None, description="1: no sign-in, one person's page; 0: sign-in required; unset: single-user only in the "
        "embedded mode while no account exists.")
    session_hours: float = Field(12.0, description="How long a sign-in lasts.")

    flower_user: str = Field("", description="Flower basic-auth user; empty = no auth.")
    flower_password: str = Field("", description="Flower basic-auth password.")
    flower_port: int = Field(5555, description="Port Flower listens on.")

    log_level: str = Field("INFO", description="Logging level of the services.")

    def resolved_broker_url(self) -> str:
        return self.broker_url or "filesystem://"

    def resolved_result_backend(self) -> str:
        if self.result_backend:
            return self.result_backend
        return f"db+sqlite:///{(self.home / 'results.sqlite').resolve()}"

    def resolved_store_url(self) -> str:
        return self.store_url or (self.home / "store").resolve().as_uri()

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'fittrack.sqlite').resolve()}"

    def broker_folder(self) -> Path:
        """Where the filesystem transport keeps its messages (embedded mode only)."""
        return (self.home / "broker").resolve()

    @property
    def is_embedded(self) -> bool:
        return self.resolved_broker_url().startswith("filesystem://")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def without_password(url: str) -> str:
    """A URL fit to show a person or a log: its user and password replaced by ***."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return url
