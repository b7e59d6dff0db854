"""Trainer subcommands: `fittrack train` and `fittrack predict`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from fittrack.settings import get_settings


def _cmd_train(args: argparse.Namespace) -> int:
    from fittrack.storage.store import open_store
    from trainer.train import train_and_report

    settings = get_settings()
    if args.submit:
        return _submit_training(settings, evaluate_first=not args.no_eval, wait=not args.no_wait,
                                user_labels=not args.without_user_labels)
    train_and_report(open_store(settings, args.store), Path(args.output), settings,
                     evaluate_first=not args.no_eval, user_labels=not args.without_user_labels)
    return 0


def _submit_training(settings, evaluate_first: bool, wait: bool, user_labels: bool = True) -> int:
    """Trains on a worker (the data never comes here); waits for it unless told not to."""
    from workers.app import create_app
    from workers.jobs import TRAIN_TASK, send_job, training_job_id

    app = create_app(settings)
    job_id = training_job_id()
    send_job(app, TRAIN_TASK, job_id, args=[evaluate_first, user_labels], record={"model_key": settings.model_key})
    job = app.AsyncResult(job_id)
    print(f"training job {job_id} sent; the model will be at {settings.model_key} in the store")
    if not wait:
        return 0
    try:
        job.get(propagate=False, interval=1.0)
    except KeyboardInterrupt:
        print("stopped waiting; the job keeps running on its worker", file=sys.stderr)
        return 130
    if job.failed():
        print(f"training failed: {job.result}", file=sys.stderr)
        return 1
    from fittrack.jobs.training import TrainedModel
    from trainer.report import headline

    trained = TrainedModel.from_dict(job.result)
    print(f"model trained: {trained.model_key} (sha256 {trained.sha256})")
    if trained.evaluation is not None:
        print(headline(trained.evaluation, trained.training))
    return 0


def _chosen_exercise(name: str | None) -> str | None:
    """`--exercise` as a class name, or a one-line refusal naming the five."""
    from fittrack.errors import BadInputError
    from fittrack.labels import EXERCISES, normalise_label

    if name is None:
        return None
    exercise = normalise_label(name)
    if exercise not in EXERCISES:
        raise BadInputError(f"--exercise {name}", "is not an exercise fittrack counts",
                            f"name one of: {', '.join(EXERCISES)}")
    return exercise


def _cmd_predict(args: argparse.Namespace) -> int:
    from fittrack.pose.video import probe, require_long_enough

    exercise = _chosen_exercise(args.exercise)
    require_long_enough(probe(args.video), args.video)  # a bad file is told before anything heavy loads
    from fittrack.errors import NoModelError
    from fittrack.logs import frame_progress
    from fittrack.movement.predict import NAMED_BY_PERSON, predict_rows
    from fittrack.movement.sessions import segment_name, session_summary
    from fittrack.pose.estimator import PoseEstimator
    from fittrack.pose.extract import extract_video
    from fittrack.recognition.model_file import ExerciseModel, load_model, model_from_store
    from fittrack.storage.store import open_store

    settings = get_settings()
    # The store's model is checked against the sha256 the trainer recorded; a
    # local file has nothing to check against, so it is only taken when named.
    model: ExerciseModel | None = None
    if args.model:
        model = load_model(Path(args.model))
    else:
        try:
            model, _ = model_from_store(open_store(settings), settings.model_key)
        except NoModelError:
            if exercise is None:  # a named exercise needs no model: reps and form follow the name
                raise
    with PoseEstimator.from_settings(settings) as estimator, frame_progress(Path(args.video).name,
                                                                           args.quiet) as progress:
        extraction = extract_video(args.video, estimator, sample_fps=settings.sample_fps,
                                   visibility_threshold=settings.visibility_threshold, on_progress=progress)
    extraction.require_person()
    prediction = predict_rows(model, extraction.rows, exercise)
    if args.json:
        json.dump(prediction.summary().to_dict(), sys.stdout, indent=2)
        print()
        return 0
    if prediction.named_by == NAMED_BY_PERSON:
        print(f"{args.video}: {prediction.display} (named by you)")
    else:
        print(f"{args.video}: {prediction.display} ({100 * prediction.confidence:.0f}% confidence)"
              + ("; unsure: close to the line of \"not one of these\"" if prediction.uncertain else ""))
    if prediction.reps:
        spans = ", ".join(f"{a:.1f}-{b:.1f} s" for a, b in prediction.reps.reps)
        print(f"  reps: {prediction.reps.count}" + (f" ({spans})" if spans else ""))
        for sentence in prediction.form_sentences():
            print(f"  form: {sentence}")
    print("  session log:")
    for segment in prediction.segments:
        reps = f"{segment.reps} reps" if segment.is_set else ""
        sure = "" if prediction.named_by == NAMED_BY_PERSON else f"({100 * segment.confidence:.0f}%)"
        print(f"  {segment.start_s:6.1f}-{segment.end_s:6.1f} s  {segment_name(segment.label):<18} {reps:<8} "
              f"{sure}".rstrip())
    summary = session_summary(list(prediction.segments))
    print(f"  sets: {summary['sets'] or 'none'}, {summary['total_reps']} reps, "
          f"{summary['work_s']:.0f} s at work, {summary['rest_s']:.0f} s other or rest")
    return 0


def _cmd_segment(args: argparse.Namespace) -> int:
    from fittrack.jobs.session_logs import segment_stored_videos
    from fittrack.recognition.model_file import model_from_store
    from fittrack.storage.store import open_store

    settings = get_settings()
    store = open_store(settings, args.store)
    model, sha256 = model_from_store(store, settings.model_key)
    count = segment_stored_videos(store, model, sha256, show_progress=not args.quiet)
    print(f"segment: the session logs of {count} videos -> {store.url}/sessions/")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    train = commands.add_parser("train", help="train the exercise model on all rows in the store, with a report")
    train.add_argument("-o", "--output", default="out/exercise.model", help="where to write the .model file")
    train.add_argument("--store", help="store URL (default from settings)")
    train.add_argument("--no-eval", action="store_true", help="skip the grouped evaluation")
    train.add_argument("--without-user-labels", action="store_true",
                       help="leave out the uploads people confirmed or corrected (trained by default)")
    train.add_argument("--submit", action="store_true", help="run training as a job on a worker instead")
    train.add_argument("--no-wait", action="store_true", help="with --submit: send the job and return")
    train.set_defaults(handler=_cmd_train)
    predict = commands.add_parser("predict", help="predict the exercise in one video")
    predict.add_argument("video")
    predict.add_argument("--model", help="a local .model file you trained (default: the store's model, "
                                          "verified against the sha256 recorded by fittrack train)")
    predict.add_argument("--exercise", help="say which exercise it is (deadlift, hammer_curl, pull_up, push_up, "
                                            "squat): recognition is skipped, reps and form follow it")
    predict.add_argument("--json", action="store_true", help="machine-readable output")
    predict.add_argument("-q", "--quiet", action="store_true", help="no progress bar (it goes to stderr)")
    predict.set_defaults(handler=_cmd_predict)
    segment = commands.add_parser("segment", help="the session log (sets, reps, rests) of every stored video")
    segment.add_argument("--store", help="store URL (default from settings)")
    segment.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    segment.set_defaults(handler=_cmd_segment)
