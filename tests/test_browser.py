"""The webapp in a real headless Chromium, on the embedded default, with the worker `fittrack webapp` starts:
an upload, its answer corrected by the person, and the correction still there after a reload.

Streamlit renders only after its websocket connects, so every step waits on
page content with a deadline; nothing sleeps a fixed time.
"""

from __future__ import annotations

import shutil
import sys

import pytest

from fittrack.settings import Settings
from fittrack.storage.store import LocalStore

from .conftest import shared_video
from .services import ROOT, ServiceProcesses, free_port, service_env, wait_for
from .synthetic import store_synthetic_model

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "out" / "test-artifacts"


@pytest.fixture
def chromium():
    if not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not installed (Debian package chromium; scripts/install_system.sh installs it)")
    playwright = pytest.importorskip("playwright.sync_api")
    return playwright


def started_webapp(services: ServiceProcesses, env: dict[str, str], *options: str) -> str:
    """`fittrack webapp` as a person starts it, on a free port; its address once the page answers."""
    import requests

    port = free_port()
    services.start("webapp", [sys.executable, "-m", "fittrack", "webapp", "--port", str(port),
                              "--address", "127.0.0.1", *options], env)
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: requests.get(f"{url}/_stcore/health", timeout=1).ok, 60, "the webapp")
    return url


def test_upload_in_chromium_plays_the_annotated_video(chromium, tmp_path):
    home = tmp_path / "home"
    settings = Settings(home=home)
    store_synthetic_model(LocalStore(home / "store"), settings.model_key)
    env = service_env({"FITTRACK_SAMPLE_FPS": "10"}, home)
    services = ServiceProcesses(tmp_path)
    try:
        # One command, as the README gives it: in the embedded mode the page brings its own worker.
        url = started_webapp(services, env)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with chromium.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1200, "height": 1600})
            page = context.new_page()
            page.goto(url)
            page.get_by_text("Process Video").wait_for(timeout=60_000)
            page.locator("input[type=file]").set_input_files(str(shared_video("squat/kaggle_squat_18.mp4")))
            button = page.get_by_role("button", name="Process Video")
            page.wait_for_function("() => [...document.querySelectorAll('button')].some("
                                   "b => b.innerText.includes('Process Video') && !b.disabled)", timeout=60_000)
            button.click()
            page.wait_for_function(
                "() => { const v = document.querySelector('video');"
                " return v && v.readyState >= 2 && v.duration > 0; }", timeout=240_000)
            duration = page.evaluate("() => document.querySelector('video').duration")
            assert 3.0 < duration < 4.5, "the annotated video lasts as long as the 3.7 s upload"
            assert "job=analyse-" in page.url, "the job id is in the address, so a link shows it again"
            page.get_by_text("Download angle rows (CSV)").wait_for(timeout=30_000)
            page.screenshot(path=str(ARTIFACTS / "webapp-result.png"), full_page=True)
            correct_it(page, "Push up")
            page.get_by_text("named by you").wait_for(timeout=180_000)  # the correction job, on the worker
            page.reload()
            page.get_by_text("You said: Push up").wait_for(timeout=60_000)  # from the store, not the session
            page.get_by_text("named by you").wait_for(timeout=30_000)
            page.get_by_text("full_range").first.wait_for(timeout=30_000)  # a push-up's form cues, not a squat's
            page.screenshot(path=str(ARTIFACTS / "webapp-corrected.png"), full_page=True)
            browser.close()
        assert (ARTIFACTS / "webapp-result.png").stat().st_size > 10_000
    finally:
        services.stop_all()


def correct_it(page, exercise: str) -> None:
    """Says "Not right? It was: <exercise>" under the answer and sends the correction."""
    page.get_by_text("Not right? It was:").wait_for(timeout=30_000)
    page.locator("div[data-testid=stSelectbox]").filter(has_text="Not right? It was:").click()
    page.get_by_role("option", name=exercise, exact=True).click()
    page.get_by_role("button", name="Correct it").click()


HOSTILE_JOB_VALUES = {
    "ten kilobytes of junk": "x" * 10_000,
    "a NUL byte": "analyse-%00",
    "an extraction job's id": "extract-" + "0f" * 32,
    "a path": "analyse-..%2F..%2Fetc%2Fpasswd",
    "an unknown upload": "analyse-" + "ab" * 16,
}
LEAKS = ("Traceback", 'File "', "/work/", "site-packages", "Error:", "KeyError", "ValueError", "OSError")


def test_hostile_job_values_in_the_address_say_no_such_job_and_leak_nothing(chromium, tmp_path):
    home = tmp_path / "home"
    services = ServiceProcesses(tmp_path)
    try:
        url = started_webapp(services, service_env({}, home), "--no-worker")
        with chromium.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            for what, value in HOSTILE_JOB_VALUES.items():
                page.goto(f"{url}/?job={value}")
                page.get_by_text("No such job").wait_for(timeout=60_000)
                shown = page.inner_text("body")
                assert not [leak for leak in LEAKS if leak in shown], f"{what}: {shown[:2000]}"
            browser.close()
    finally:
        services.stop_all()
    assert "Traceback" not in services.log_text("webapp"), "a hostile value is refused, not an exception"


def upload_named(page, video, exercise: str) -> None:
    """Uploads `video` on the analysis page, naming its exercise, and waits for the annotated video."""
    page.get_by_text("Process Video").wait_for(timeout=60_000)
    page.locator("input[type=file]").set_input_files(str(video))
    page.locator("div[data-testid=stSelectbox]").filter(has_text="Which exercise is it?").click()
    page.get_by_role("option", name=exercise, exact=True).click()
    page.wait_for_function("() => [...document.querySelectorAll('button')].some("
                           "b => b.innerText.includes('Process Video') && !b.disabled)", timeout=60_000)
    page.get_by_role("button", name="Process Video").click()
    page.wait_for_function("() => { const v = document.querySelector('video');"
                           " return v && v.readyState >= 2 && v.duration > 0; }", timeout=240_000)


def test_two_uploads_then_the_history_page_shows_both_workouts_and_the_weekly_chart(chromium, tmp_path):
    home = tmp_path / "home"
    services = ServiceProcesses(tmp_path)
    try:
        url = started_webapp(services, service_env({"FITTRACK_SAMPLE_FPS": "10"}, home))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with chromium.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1200, "height": 2400}).new_page()
            page.goto(url)
            upload_named(page, shared_video("squat/kaggle_squat_18.mp4"), "Squat")
            page.goto(url)
            upload_named(page, shared_video("push_up/kaggle_push-up_1.mp4"), "Push up")
            page.get_by_role("link", name="History").click()
            page.get_by_text("Your workouts").wait_for(timeout=60_000)
            page.get_by_text("Reps per week").wait_for(timeout=60_000)
            metric = page.locator("div[data-testid=stMetric]").filter(has_text="Workouts")
            assert metric.locator("div[data-testid=stMetricValue]").inner_text() == "2"
            page.wait_for_function("() => document.querySelectorAll('.vega-embed canvas, .vega-embed svg')"
                                   ".length >= 2", timeout=60_000)  # reps and sets per week, drawn
            page.locator("div[data-testid=stSelectbox]").filter(has_text="Open a workout").click()
            options = page.get_by_role("option").all_inner_texts()
            assert len(options) == 2
            assert any("kaggle_squat_18.mp4" in o for o in options) and any("kaggle_push-up_1.mp4" in o
                                                                             for o in options), options
            page.keyboard.press("Escape")
            page.screenshot(path=str(ARTIFACTS / "webapp-history.png"), full_page=True)
            browser.close()
    finally:
        services.stop_all()
    assert "Traceback" not in services.log_text("webapp")


def browser_sign_in(page, name: str, password: str) -> None:
    page.get_by_label("Username").wait_for(timeout=60_000)
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_accounts_in_chromium_keep_each_persons_jobs_and_history_apart(chromium, tmp_path):
    home = tmp_path / "home"
    services = ServiceProcesses(tmp_path)
    env = service_env({"FITTRACK_SAMPLE_FPS": "10"}, home)
    for name, password in (("ana", "ana-long-password"), ("bo", "bo-long-password")):
        import subprocess

        subprocess.run([sys.executable, "-m", "fittrack", "user", "add", name, "--password-stdin"], env=env,
                       input=f"{password}\n", text=True, check=True, capture_output=True, timeout=120, cwd=ROOT)
    try:
        url = started_webapp(services, env)
        with chromium.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1200, "height": 1600}).new_page()
            page.goto(url)
            browser_sign_in(page, "ana", "not-her-password")
            page.get_by_text("Wrong username or password.").wait_for(timeout=30_000)
            browser_sign_in(page, "ana", "ana-long-password")
            page.get_by_text("Signed in as").wait_for(timeout=30_000)
            upload_named(page, shared_video("squat/kaggle_squat_18.mp4"), "Squat")
            ana_job = page.url
            assert "job=analyse-" in ana_job
            page.reload()  # the session survives a reload (its cookie), and the job is still hers
            page.wait_for_function("() => { const v = document.querySelector('video');"
                                   " return v && v.readyState >= 2; }", timeout=60_000)
            page.get_by_role("button", name="Sign out").click()
            page.get_by_text("Signed out.").wait_for(timeout=30_000)
            page.goto(ana_job)
            page.get_by_label("Username").wait_for(timeout=60_000)  # signed out: the link asks for a sign-in
            assert page.locator("video").count() == 0
            browser_sign_in(page, "bo", "bo-long-password")
            page.get_by_text("No such job").wait_for(timeout=60_000)
            assert page.locator("video").count() == 0
            page.screenshot(path=str(ARTIFACTS / "webapp-not-yours.png"), full_page=True)
            page.get_by_role("link", name="History").click()
            page.get_by_text("No workouts yet").wait_for(timeout=60_000)
            browser.close()
    finally:
        services.stop_all()
    log = services.log_text("webapp")
    assert "Traceback" not in log and "ana-long-password" not in log and "not-her-password" not in log


LIVE_CLIP, LIVE_EXERCISE, LIVE_REPS = "push_up/kaggle_push-up_26.mp4", "Push up", 4  # tests/rep_truth.py


def test_live_counts_a_fake_camera_set_and_stop_saves_it(chromium, tmp_path):
    from fittrack.history.reports import load_history

    from .fake_camera import camera_frames, write_y4m

    # Held still 30 s after the clip: Chromium loops the file, and no loop may come before the count is read.
    camera = write_y4m(camera_frames(shared_video(LIVE_CLIP), still_s=30.0), tmp_path / "camera.y4m")
    home = tmp_path / "home"
    services = ServiceProcesses(tmp_path)
    try:
        url = started_webapp(services, service_env({}, home))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with chromium.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={camera}"])
            page = browser.new_context(viewport={"width": 1200, "height": 1800}).new_page()
            page.goto(f"{url}/live")
            page.locator("div[data-testid=stSelectbox]").filter(has_text="Which exercise?").click()
            page.get_by_role("option", name=LIVE_EXERCISE, exact=True).click()
            page.get_by_text("allow camera access for this page").wait_for(timeout=30_000)  # said before it starts
            webrtc = page.frame_locator("iframe[title*='streamlit_webrtc']")
            webrtc.get_by_role("button", name="START").click(timeout=60_000)
            reps = page.locator("div[data-testid=stMetric]").filter(has_text="Reps").locator(
                "div[data-testid=stMetricValue]")
            analysed = page.get_by_text("frames analysed:")

            def frames_analysed() -> int:
                return int(analysed.inner_text().rsplit(":", 1)[1]) if analysed.count() else 0

            wait_for(lambda: frames_analysed() >= 100, 120, "the clip to be played through (and held)")
            counted = int(reps.inner_text())
            page.screenshot(path=str(ARTIFACTS / "webapp-live.png"), full_page=True)
            assert abs(counted - LIVE_REPS) <= 1, f"counted {counted} live, {LIVE_REPS} by eye"
            webrtc.get_by_role("button", name="STOP").click()
            page.get_by_text("Saved:").wait_for(timeout=60_000)
            page.get_by_role("link", name="Open the saved set").wait_for(timeout=30_000)
            page.screenshot(path=str(ARTIFACTS / "webapp-live-saved.png"), full_page=True)
            browser.close()
        history = wait_for(lambda: [h for h in [load_history(f"sqlite:///{home / 'fittrack.sqlite'}")]
                                    if not h.empty], 240, "the saved set's workout (drawn by the worker)")[0]
        assert history.workouts["name"].str.startswith("Live set").all()
        assert set(history.sets["exercise"]) == {"push_up"}, "the named exercise's sets, split at the still part"
        assert int(history.workouts["reps"].iloc[0]) >= LIVE_REPS - 1
    finally:
        services.stop_all()
    assert "Traceback" not in services.log_text("webapp")
