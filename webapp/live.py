"""The Live page: a set in front of the camera, counted and coached as it happens, saved at Stop.

The browser sends its camera over WebRTC (streamlit-webrtc, aiortc on the
server). Frames are analysed in the media thread by `movement.live.LiveSet`,
the same steps as an upload's; when analysis is slower than the camera,
only the newest waiting frame is taken and the others are dropped, never
queued. At Stop the analysed frames and rows are stored like an upload
(`jobs.live.save_live_set`) and the job that redraws an upload from its
rows makes the annotated video and the workout.
No STUN or TURN server is used unless FITTRACK_LIVE_ICE_SERVERS names one:
localhost and a LAN need none.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
import time
from pathlib import Path

import av
import streamlit as st
from streamlit_webrtc import VideoProcessorBase

from fittrack.errors import FittrackError
from fittrack.labels import EXERCISES, display_name
from fittrack.movement.live import LiveSet
from fittrack.pose.estimator import PoseEstimator
from fittrack.pose.recording import FrameRecorder
from fittrack.recognition.model_file import ExerciseModel, model_from_store
from fittrack.settings import Settings
from webapp.accounts import page_owner
from webapp.backend import Backend, ServiceUnavailable, backend
from workers.jobs import analysis_job_id, correction_job_id

log = logging.getLogger("webapp.live")
RECOGNISE = "Recognise it"
CAMERA_HELP = ("If the camera does not start: allow camera access for this page (the camera icon in the address "
               "bar), close other programs that use the camera, and open the page on localhost or over https: "
               "browsers give a camera only to secure pages, and a browser without WebRTC cannot send one.")


class LiveProcessor(VideoProcessorBase):
    """One camera session: analyses the newest frame, draws on it, keeps the analysed frames for saving."""

    def __init__(self, settings: Settings, exercise: str | None, model: ExerciseModel | None) -> None:
        self.settings = settings
        self.estimator = PoseEstimator.from_settings(settings)
        self.live = LiveSet(self.estimator, exercise=exercise, model=model, sample_fps=settings.sample_fps or 15.0,
                            visibility_threshold=settings.visibility_threshold)
        self.folder = Path(tempfile.mkdtemp(prefix="fittrack-live-"))
        self.recorder = FrameRecorder(self.folder / "set.mp4")
        self.lock = threading.Lock()
        self.first_time: float | None = None
        self.closed = False

    async def recv_queued(self, frames: list[av.VideoFrame]) -> list[av.VideoFrame]:
        try:
            return [self._process(frames[-1])]  # older frames that waited are dropped: live never falls behind
        except Exception:  # the media thread would die silently: say it, and pass the frame through
            log.exception("live frame processing failed")
            return [frames[-1]]

    def _process(self, newest: av.VideoFrame) -> av.VideoFrame:
        rgb = newest.to_ndarray(format="rgb24")
        now = time.monotonic()  # the arrival time: what the person did when; frames carry no reliable clock
        self.first_time = now if self.first_time is None else self.first_time
        timestamp_ms = round((now - self.first_time) * 1000)
        with self.lock:
            if not self.closed and self.live.offer(rgb, timestamp_ms):
                self.recorder.add(rgb, timestamp_ms)
        drawn = av.VideoFrame.from_ndarray(self.live.draw(rgb), format="rgb24")
        drawn.pts, drawn.time_base = newest.pts, newest.time_base
        return drawn

    def close(self) -> Path:
        with self.lock:
            self.closed = True
            self.recorder.close()
            self.estimator.close()
        return self.recorder.path


def ice_servers(settings: Settings) -> list[dict]:
    if not settings.live_ice_servers:
        return []
    return list(json.loads(settings.live_ice_servers))


def live_model(api: Backend) -> tuple[ExerciseModel, str] | None:
    """The trained model, for "Recognise it"; None when there is none yet. Loaded again only after a retrain."""
    info = api.store.head(api.settings.model_key)
    if info is None:
        return None
    return _loaded_model(api, info.metadata.get("sha256", ""))


@st.cache_resource(max_entries=1, hash_funcs={Backend: id})
def _loaded_model(api: Backend, sha256: str) -> tuple[ExerciseModel, str]:
    """One copy per page process, keyed by the sha the trainer recorded (checked again on loading)."""
    return model_from_store(api.store, api.settings.model_key)


def show_state(processor: LiveProcessor | None) -> None:
    if processor is None:
        return
    state = processor.live.state
    exercise, reps, phase = st.columns(3)
    exercise.metric("Exercise", display_name(state.exercise) if state.exercise else "recognising...")
    reps.metric("Reps", state.reps)
    phase.metric("Phase", state.phase or "-")
    st.caption(f"Processed {state.processed_fps:.0f} frames/s (median {state.latency_ms:.0f} ms a frame); "
               f"frames analysed: {state.frames}")
    if state.cue:
        st.warning(f"Form (experimental): {state.cue}")
    if state.notice:
        st.info(state.notice)
    if state.exercise and state.named_by != "person":
        st.caption(f"Recognised as {display_name(state.exercise)}. Not right? It is:")
        for column, label in zip(st.columns(len(EXERCISES)), EXERCISES, strict=True):
            if column.button(display_name(label), key=f"live-is-{label}"):
                processor.live.name(label)


def save(api: Backend, processor: LiveProcessor, model: tuple[ExerciseModel, str] | None) -> None:
    from fittrack.jobs.live import save_live_set

    recording = processor.close()
    if processor.live.state.frames == 0:
        st.info("Nothing to save: no frame of the camera was analysed.")
        return
    try:
        upload_id, state = save_live_set(api.store, processor.live, recording, page_owner().id,
                                         None if processor.live.state.named_by == "person" else model)
        api.send_correction(correction_job_id(upload_id))
    except (FittrackError, ServiceUnavailable) as error:
        log.exception("saving a live set failed")
        st.error(f"The set could not be saved: {error}")
        return
    st.session_state["live-saved"] = (upload_id, state.reps, state.exercise)


def live_page() -> None:
    from streamlit_webrtc import WebRtcMode, webrtc_streamer

    st.title("Live")
    st.caption("Count a set in front of your camera: pick the exercise (or let it be recognised), press START, "
               "do your set, press STOP. The set is then saved to your history.")
    api = backend()
    model = live_model(api)
    choices = [*([RECOGNISE] if model else []), *EXERCISES]
    choice = st.selectbox("Which exercise?", choices, key="live-exercise",
                          format_func=lambda c: c if c == RECOGNISE else display_name(c).capitalize(),
                          help=None if model else "Recognising needs a trained model (`fittrack train`).")
    sessions: dict = st.session_state.setdefault("live-processors", {})
    settings = api.settings
    exercise = None if choice == RECOGNISE else choice
    loaded = model[0] if model else None

    def factory() -> LiveProcessor:
        processor = LiveProcessor(settings, exercise, loaded)
        sessions["current"] = processor
        return processor

    context = webrtc_streamer(
        key="live", mode=WebRtcMode.SENDRECV, video_processor_factory=factory, async_processing=True,
        rtc_configuration={"iceServers": ice_servers(settings)},
        media_stream_constraints={"video": {"width": 640, "height": 480}, "audio": False})
    st.caption(CAMERA_HELP)
    processor = sessions.get("current")
    if processor is not None and exercise is not None and processor.live.state.exercise != exercise \
            and st.session_state.get("live-chosen") != choice:
        processor.live.name(exercise)  # chosen while the camera runs: counting follows the new choice
    st.session_state["live-chosen"] = choice
    if context.state.playing:
        st.session_state.pop("live-saved", None)
        st.session_state["live-playing"] = True
        follow_live()
    elif st.session_state.pop("live-playing", False) and processor is not None and not processor.closed:
        sessions.pop("current", None)  # it was playing and is no more: Stop was pressed
        save(api, processor, model)
    saved = st.session_state.get("live-saved")
    if saved:
        upload_id, reps, exercise_name = saved
        what = display_name(exercise_name) if exercise_name else "the set"
        st.success(f"Saved: {reps} reps of {what}. Its annotated video is being drawn; the set is in your "
                   "history.")
        st.markdown(f"[Open the saved set](/?job={analysis_job_id(upload_id)})")


@st.fragment(run_every=0.5)
def follow_live() -> None:
    """Reads the processor anew each time: the camera's connection makes it after this page has run."""
    show_state(st.session_state.get("live-processors", {}).get("current"))


live_page()
