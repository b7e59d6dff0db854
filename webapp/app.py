"""The fittrack page: upload a video, follow its job, watch the annotated result.

Run with `fittrack webapp`. The page never analyses an uploaded video itself (only the Live page's camera
frames, which cannot wait for a queue: webapp/live.py): an upload
becomes a job for the workers, and the page polls its state in a fragment,
so a slow video never freezes the page and many people can use it at once.
The job id lives in the URL (`?job=...`), so a refresh or a shared link
shows the same job.
"""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from fittrack.errors import DatabaseError, FittrackError
from fittrack.jobs.analysis import AnalysisResult
from fittrack.jobs.uploads import VIDEO_TYPES, UploadError, check_upload, stored_display_name
from fittrack.jobs.user_labels import UserLabel, labels_of
from fittrack.labels import EXERCISES, OTHER, display_name
from fittrack.movement.predict import NAMED_BY_PERSON, PredictionSummary
from fittrack.movement.sessions import segment_name
from fittrack.pose.angles import DISPLAY_ANGLES
from fittrack.storage.keys import ResultKeys, upload_key
from webapp.accounts import (
    OWNER_STATE,
    Owner,
    account_sidebar,
    current_owner,
    keep_cookie,
    page_owner,
    sign_in_form,
    still_signed_in,
)
from webapp.backend import Backend, ServiceUnavailable, backend
from webapp.deleting import deleted_after_confirmation
from workers.jobs import NO_SUCH_JOB, JobStatus, analysis_job_id, upload_of_job

log = logging.getLogger("webapp")
POLL_SECONDS = 0.5
CHART_ANGLES = tuple(a for a in DISPLAY_ANGLES if a.endswith(("elbow", "knee", "hip")))


def remember(job_id: str, name: str) -> None:
    jobs: list[tuple[str, str]] = st.session_state.setdefault("jobs", [])
    if job_id not in [j for j, _ in jobs]:
        jobs.insert(0, (job_id, name))


def open_job(job_id: str) -> None:
    st.query_params["job"] = job_id


def sidebar(api: Backend) -> None:
    with st.sidebar:
        st.header("Your jobs")
        jobs = st.session_state.get("jobs", [])
        if not jobs:
            st.caption("Jobs you submit in this session are listed here.")
        for job_id, name in jobs:
            st.button(name, key=f"open-{job_id}", on_click=open_job, args=(job_id,), use_container_width=True)


def upload_form(api: Backend, owner: Owner) -> None:
    try:
        missing_model = api.model_status()
    except ServiceUnavailable as error:
        st.error(str(error))
        return
    if missing_model:
        st.warning(f"No exercise model yet: {missing_model}. Name the exercise below to count reps anyway.")
    limit = api.settings.upload_limit_mb
    upload = st.file_uploader(f"A video of one exercise set or a whole workout (up to {limit} MB)",
                              type=list(VIDEO_TYPES))
    choice = st.selectbox("Which exercise is it?", [RECOGNISE, *EXERCISES],
                          format_func=lambda label: label if label == RECOGNISE else display_name(label).capitalize(),
                          help="Name it if you know: reps, form and sets then follow your choice.")
    clicked = st.button("Process Video", type="primary", disabled=upload is None)
    if upload is None or not clicked:
        return
    data = upload.getvalue()
    try:
        check_upload(upload.name, data, api.settings)
        job_id = api.submit(upload.name, data, None if choice == RECOGNISE else choice, owner.id)
    except UploadError as error:
        st.error(f"{error.source} {error.problem}: {error.hint}.")
        return
    except ServiceUnavailable as error:
        st.error(str(error))
        return
    remember(job_id, upload.name)
    open_job(job_id)
    st.rerun()


@st.fragment(run_every=POLL_SECONDS)
def follow(api: Backend, job_id: str) -> None:
    """Re-runs on its own every POLL_SECONDS; the whole page re-runs once the job ends (or the person signs out:
    a signed-out browser reads no job's state)."""
    if not still_signed_in(api.settings):
        st.rerun()
    try:
        status = api.status(job_id)
    except ServiceUnavailable as error:
        st.error(str(error))
        return
    except Exception:  # noqa: BLE001 -- as in main(): a sentence and an error id, never a trace
        friendly_failure("following a job")
        return
    if status.finished:
        st.rerun()
    show_pending(status)


def show_pending(status: JobStatus) -> None:
    if status.state == "waiting":
        st.warning(status.message)
    elif status.state == "retrying":
        st.info(status.message)
    else:
        st.info(status.message)
    if status.state == "processing":
        st.progress(status.fraction, text=status.message)


def show_failure(api: Backend, upload_id: str, status: JobStatus) -> None:
    key = upload_key(upload_id)
    name = stored_display_name(api.store, key) or "your video"
    st.error(f"The analysis failed: {status.message.replace(key, name)}")
    st.caption("Your upload is still in the store; retrying sends the same video to the workers again.")
    if st.button("Retry", key="retry"):
        try:
            api.resubmit(analysis_job_id(upload_id))
        except ServiceUnavailable as error:
            st.error(str(error))
            return
        st.rerun()


def not_in_history(api: Backend, upload_id: str) -> None:
    """The analysis finished but its workout could not be written: the answer is shown, the history waits."""
    st.warning("History is unavailable right now: this workout is not in your history yet. "
               "Your analysis is below; try again in a moment to add it.")
    if st.button("Add it to my history", key="retry-history"):
        try:
            api.resubmit(analysis_job_id(upload_id))  # the job finds its result and writes only the workout
        except ServiceUnavailable as error:
            st.error(str(error))
            return
        st.rerun()


RECOGNISE = "Recognise it"


def uncertain_sentence(prediction: PredictionSummary) -> str:
    """What to tell a person whose answer sits near the door (fittrack.recognition.decision.uncertain)."""
    if prediction.label != OTHER:
        return f"Not sure: this was close to being answered \"not one of these\". Was it a {prediction.display}?"
    exercises = {label: p for label, p in prediction.probabilities.items() if label != OTHER}
    nearest = display_name(max(exercises, key=exercises.__getitem__)) if exercises else "an exercise"
    return f"Not sure: this was close to being recognised as {nearest}."


def answer_name(label: str) -> str:
    return "None of these" if label == OTHER else display_name(label).capitalize()


def ask_right(api: Backend, result: AnalysisResult) -> None:
    """"Right?" under the answer: a yes is a label; a no is a label and a job that recomputes the answer."""
    prediction = result.prediction
    if prediction is None:
        return
    corrections = st.session_state.setdefault("correcting", {})
    if result.upload_id in corrections:
        follow_correction(api, result.upload_id, corrections[result.upload_id])
        return
    said = labels_of(api.store, result.upload_id)
    whole = next((label for label in said if label.span_ms is None), None)
    if whole is not None:
        st.caption(f"You said: {answer_name(whole.person_said)}. You can still change it below.")
    yes, no, go = st.columns([1, 3, 1.4], vertical_alignment="bottom")
    uid = result.upload_id
    model_said = whole.model_said if whole is not None else prediction.label  # what the model said, kept
    if yes.button("Right", key=f"right-yes-{uid}", help="Yes, that is what I did"):
        label = UserLabel(uid, model_said, prediction.label)
        if told(lambda: api.confirm(label, result.duration_s)):
            st.success("Thanks: noted. Answers people confirm train the next model.")
    choice = no.selectbox("Not right? It was:", [*EXERCISES, OTHER], index=None, format_func=answer_name,
                          placeholder="choose what it was", key=f"right-no-{uid}")
    if go.button("Correct it", key=f"right-correct-{uid}", disabled=choice is None) and choice is not None:
        send_correction(api, UserLabel(uid, model_said, choice), result.duration_s)
    st.caption("What you say here is kept with your video and helps train the next model.")


def send_correction(api: Backend, label: UserLabel, duration_s: float) -> None:
    """Records the label and sends its correction job; the page then follows that job."""
    job_id: list[str] = []
    if told(lambda: job_id.append(api.correct(label, duration_s))):
        st.session_state.setdefault("correcting", {})[label.upload_id] = job_id[0]
        st.rerun()


def told(action: Callable[[], object]) -> bool:
    """Runs `action`; a refused label or an unreachable server becomes one sentence on the page."""
    try:
        action()
    except (ServiceUnavailable, FittrackError) as error:
        st.error(str(error))
        return False
    return True


def ask_about_a_set(api: Backend, result: AnalysisResult, sets: list) -> None:
    """A session of several sets: one of them can be corrected on its own (its span trains alone)."""
    with st.expander("Is a set wrong?"):
        uid = result.upload_id
        which = st.selectbox("Set", range(len(sets)), key=f"set-which-{uid}",
                             format_func=lambda i: f"set {i + 1}: {segment_name(sets[i].label)} at {sets[i].start_s:.0f} s")
        was = st.selectbox("It was:", [*EXERCISES, OTHER], index=None, format_func=answer_name,
                           placeholder="choose what it was", key=f"set-was-{uid}")
        if st.button("Correct this set", key=f"set-correct-{uid}", disabled=was is None) and was is not None:
            chosen = sets[which]
            send_correction(api, UserLabel(result.upload_id, chosen.label, was, chosen.start_s, chosen.end_s),
                            result.duration_s)


@st.fragment(run_every=POLL_SECONDS)
def follow_correction(api: Backend, upload_id: str, job_id: str) -> None:
    """The correction job's progress; once it ends the whole page shows the recomputed answer."""
    if not still_signed_in(api.settings):
        st.rerun()
    try:
        status = api.correction_status(job_id)
    except ServiceUnavailable as error:
        st.error(str(error))
        return
    if status.finished or status.state == "unknown":
        st.session_state["correcting"].pop(upload_id, None)
        if status.state in ("failed", "unknown"):
            st.error(f"Recomputing with your answer failed: {status.message}")
            return
        st.rerun()
    st.info(f"Recomputing reps, form and sets with your answer. {status.message}")


def show_result(api: Backend, result: AnalysisResult) -> None:
    keys, prediction = result.keys, result.prediction
    name = stored_display_name(api.store, result.video_key) or "video"
    if prediction:
        st.subheader(prediction.display)
        confidence, reps = st.columns(2)
        if prediction.named_by == NAMED_BY_PERSON:
            confidence.metric("Exercise", "named by you")
        else:
            confidence.metric("Confidence (recognised)", f"{prediction.confidence:.0%}")
        if prediction.reps:
            reps.metric("Reps", prediction.reps.count)
        if prediction.uncertain:
            st.info(uncertain_sentence(prediction))
        ask_right(api, result)
    if result.notice:
        st.warning(result.notice)
    video = api.read(keys.video) if api.store.exists(keys.video) else None  # a live set's is drawn after saving
    sets = [segment for segment in prediction.segments if segment.is_set] if prediction else []
    start_s = show_session(prediction.segments, sets) if prediction and len(prediction.segments) > 1 else 0.0
    if len(sets) > 1 and result.upload_id not in st.session_state.get("correcting", {}):
        ask_about_a_set(api, result, sets)
    stem = name.rsplit(".", 1)[0]
    if video is None:
        st.info("The annotated video is still being drawn: reload this page in a moment.")
    else:
        st.video(video, format="video/mp4", start_time=int(start_s))
        st.download_button("Download annotated video", video, file_name=f"{stem}-annotated.mp4", mime="video/mp4")
    csv = api.read(keys.csv)
    if prediction and prediction.timeline:
        timeline = prediction.timeline_frame()
        classes = [c for c in timeline.columns if c not in ("start_ms", "end_ms", "label")]
        timeline["time_s"] = (timeline["start_ms"] + timeline["end_ms"]) / 2000
        st.caption("Class probability over time (per window)")
        st.line_chart(timeline.set_index("time_s")[classes].rename(columns=display_name))
    angles = pd.read_csv(io.BytesIO(csv))
    if len(angles):
        angles["time_s"] = angles["timestamp_ms"] / 1000
        st.caption("Main joint angles over time (degrees)")
        st.line_chart(angles.set_index("time_s")[list(CHART_ANGLES)])
    if prediction and prediction.reps and prediction.reps.spans:
        st.caption("Reps (start and end, seconds) and their form cues; a cue marked experimental has not yet "
                   "agreed well enough with reps judged by eye (its agreement is in the sentences below)")
        table = pd.DataFrame(prediction.reps.spans, columns=["start_s", "end_s"])
        if prediction.reps.cues:
            table["form"] = [cue_sentence(cues) for cues in prediction.reps.cues]
        st.dataframe(table, hide_index=True)
        for sentence in prediction.reps.form:
            st.caption(sentence)
    st.download_button("Download angle rows (CSV)", csv, file_name=f"{stem}-angles.csv", mime="text/csv")
    st.caption(f"{result.frames} frames analysed, a person in {result.detected_frames}; "
               f"took {result.seconds:.0f} s on the worker.")
    if result.upload_id not in st.session_state.get("correcting", {}):  # not while a job redraws it
        offer_delete(api, result.upload_id)


def offer_delete(api: Backend, upload_id: str) -> None:
    """Your video is yours: one click (and a confirmation) removes it with everything made from it."""
    if deleted_after_confirmation(api, upload_id, "Delete this video", "Removes the video you uploaded, its "
                                  "annotated copy, its angle rows, its workout and what you said about it.", "delete"):
        jobs = st.session_state.get("jobs", [])
        st.session_state["jobs"] = [(j, n) for j, n in jobs if upload_of_job(j) != upload_id]
        st.query_params.clear()
        st.session_state["deleted"] = True
        st.rerun()


def cue_sentence(cues) -> str:
    """A rep's cues in plain words: "depth: fault (61 against at least 80)"."""
    parts = []
    for cue in cues:
        if cue["verdict"] == "not_visible":
            parts.append(f"{cue['cue']}: not visible")
        else:
            parts.append(f"{cue['cue']}: {cue['verdict']} ({cue['value']:.0f}, limit {cue['threshold']:.0f})"
                         + (" experimental" if cue.get("experimental", True) else ""))
    return "; ".join(parts)


SEGMENT_COLOURS = {"deadlift": "#1f77b4", "hammer_curl": "#ff7f0e", "pull_up": "#2ca02c", "push_up": "#d62728",
                   "squat": "#9467bd", "other": "#bcbd22", "rest": "#c7c7c7"}


def show_session(segments, sets) -> float:
    """The session as a timeline and a table of sets; returns where the video should start (a chosen set)."""
    import altair as alt

    table = pd.DataFrame([{**segment.to_dict(), "what": segment_name(segment.label)} for segment in segments])
    chart = alt.Chart(table).mark_bar(height=28).encode(
        x=alt.X("start_s:Q", title="seconds"), x2="end_s:Q",
        color=alt.Color("label:N", legend=None, scale=alt.Scale(domain=list(SEGMENT_COLOURS),
                                                                 range=list(SEGMENT_COLOURS.values()))),
        tooltip=["what:N", "start_s:Q", "end_s:Q", "reps:Q"])
    st.caption("The session: sets in colour, other movement olive, rest grey")
    st.altair_chart(chart.properties(height=60), width="stretch")
    if not sets:
        return 0.0
    log = pd.DataFrame([{"set": i, "exercise": segment_name(s.label), "start (s)": s.start_s, "end (s)": s.end_s,
                         "reps": s.reps, "named": "by you" if s.named_by == NAMED_BY_PERSON else "recognised"}
                        for i, s in enumerate(sets, start=1)])
    st.dataframe(log, hide_index=True)
    names = ["the start", *[f"set {i}: {segment_name(s.label)} at {s.start_s:.0f} s" for i, s in enumerate(sets, 1)]]
    chosen = st.selectbox("Play from", range(len(names)), format_func=names.__getitem__)
    return 0.0 if not chosen else sets[chosen - 1].start_s


def stored_result(api: Backend, upload_id: str) -> AnalysisResult | None:
    try:
        return AnalysisResult.from_dict(json.loads(api.store.get_bytes(ResultKeys.of(upload_id).result)))
    except FittrackError:
        return None


def show_job(api: Backend, job_id: str) -> None:
    upload_id = upload_of_job(job_id)
    try:
        status = api.status(job_id)
    except ServiceUnavailable as error:
        st.error(str(error))
        return
    if upload_id is None:
        st.error(status.message)
    elif status.state in ("done", "unknown") and not api.store.exists(upload_key(upload_id)):
        st.error(NO_SUCH_JOB)  # deleted by its person: the queue may remember it, the store does not
    elif status.state == "done":
        try:
            # The store first: a correction rewrites the result there, the queue keeps the first answer.
            result = stored_result(api, upload_id) or (
                AnalysisResult.from_dict(status.result) if status.result else None)
            if result is None:
                st.error("The job finished but its result is no longer in the store; upload the video again.")
            else:
                show_result(api, result)
        except ServiceUnavailable as error:
            st.error(str(error))
    elif status.state == "failed":
        analysed = stored_result(api, upload_id)  # stored last by the analysis: only its workout is missing
        if analysed is None:
            show_failure(api, upload_id, status)
        else:
            not_in_history(api, upload_id)
            show_result(api, analysed)
    elif status.state == "unknown":
        stored = stored_result(api, upload_id)  # the queue forgets results after a week; the store does not
        if stored:
            show_result(api, stored)
        else:
            st.error(status.message)
    else:
        follow(api, job_id)


def page_body(api: Backend, owner: Owner) -> None:
    job_id = st.query_params.get("job")
    if job_id:
        upload_id = upload_of_job(job_id)
        st.button("Analyse another video", on_click=lambda: st.query_params.clear())
        try:
            yours = upload_id is not None and api.owns(owner.id, upload_id)
        except ServiceUnavailable as error:
            st.error(str(error))
            return
        if not yours or upload_id is None:  # someone else's job answers exactly like one that never existed
            st.error(NO_SUCH_JOB)
            return
        remember(job_id, f"job {upload_id[:8]}")
        show_job(api, job_id)
    else:
        if st.session_state.pop("deleted", False):
            st.success("Deleted: the video and everything made from it are gone.")
        upload_form(api, owner)


def friendly_failure(where: str) -> None:
    """Any unexpected error: one sentence and an id that finds the stack trace in the server log, never the trace."""
    error_id = uuid.uuid4().hex[:10]
    log.exception("unexpected error in %s (error id %s)", where, error_id)
    st.error(f"Something went wrong on our side; try again. If it keeps happening, tell the operator "
             f"error id {error_id}.")


def analyse_page() -> None:
    st.title("fittrack")
    st.caption("Which exercise is this? Upload a video; a worker finds the pose, the angles and the exercise.")
    api = backend()
    sidebar(api)
    page_body(api, page_owner())


def sign_in_page() -> None:
    sign_in_form(backend().settings)


HISTORY_SCRIPT = Path(__file__).with_name("history.py")
LIVE_SCRIPT = Path(__file__).with_name("live.py")


def main() -> None:
    st.set_page_config(page_title="fittrack", layout="centered")
    st.set_option("client.showErrorDetails", "none")  # also when run with plain `streamlit run`
    try:
        api = backend()
        owner = current_owner(api.settings)
    except DatabaseError as error:  # who is signed in lives in the database
        log.error("%s", error)
        st.error("Signing in is unavailable right now: the database did not answer. Try again in a moment.")
        return
    keep_cookie()
    if owner is None:
        pages = st.navigation([st.Page(sign_in_page, title="Sign in", icon=":material/login:")], position="hidden")
    else:
        st.session_state[OWNER_STATE] = owner
        account_sidebar(api.settings, owner)
        pages = st.navigation([
            st.Page(analyse_page, title="Analyse a video", icon=":material/videocam:", default=True),
            st.Page(LIVE_SCRIPT, title="Live", icon=":material/photo_camera:", url_path="live"),
            st.Page(HISTORY_SCRIPT, title="History", icon=":material/history:", url_path="history")])
    try:
        pages.run()
    except Exception:  # noqa: BLE001 -- Streamlit's own rerun/stop signals are BaseExceptions and pass
        friendly_failure(f"the page {pages.title}")


main()
