"""The evaluation report next to the model: report.json, report.md, confusion.png."""

from __future__ import annotations

import json
import math
from pathlib import Path

from fittrack.recognition.evaluation import Evaluation
from fittrack.recognition.training import (
    MAX_NOT_EXERCISE_ACCEPTED,
    MIN_LOOKALIKES_REJECTED,
    MIN_REJECTED,
    missed_videos,
)
from fittrack.storage.files import write_atomically, write_bytes_atomically


def _pct(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{100 * value:.1f}%"


def write_report(evaluation: Evaluation, training: dict, folder: Path) -> Path:
    report = {"metrics": evaluation.to_dict(), "training": training}
    write_bytes_atomically(folder / "report.json", json.dumps(report, indent=2).encode())
    _confusion_png(evaluation, folder / "confusion.png")
    write_bytes_atomically(folder / "report.md", (headline(evaluation, training, markdown=True) + "\n\n"
                                                  + missed_table(evaluation)).encode())
    return folder / "report.md"


def grouping_sentence(evaluation: Evaluation) -> str:
    grouping = evaluation.grouping
    if grouping.by == "video":
        return ("Folds are grouped by video only: the dataset has no manifest.json naming each video's origin, "
                "so clips of one person may sit on both sides of a fold and these figures may be optimistic "
                "(fittrack/recognition/groups.py says how to add one).")
    without = grouping.videos_without_group
    return (f"Folds keep every video of one origin ({grouping.groups} groups, from the dataset's manifest.json) "
            f"on one side: the model is judged on people and cameras it was not trained on"
            + (f"; {without} videos without an origin are their own group." if without else "."))


def missed_table(evaluation: Evaluation) -> str:
    """The held-out videos the model got wrong, with what it called them."""
    missed = missed_videos(evaluation).values()
    lines = [f"## Missed videos ({len(missed)} of {evaluation.videos})", "",
             "| video | truth | called | kind | group |", "|---|---|---|---|---|"]
    lines += [f"| {m.source} | {m.truth} | {m.predicted} | {m.kind} | {m.group} |" for m in missed]
    return "\n".join(lines) + "\n"


def headline(evaluation: Evaluation, training: dict, markdown: bool = False) -> str:
    window, baseline = evaluation.window, evaluation.frame_baseline
    op, base_op = window.rates, baseline.rates
    chosen = evaluation.operating_point
    lines = [
        f"# Exercise model evaluation ({evaluation.split}, {evaluation.videos} videos)" if markdown else
        f"evaluation ({evaluation.split}, {evaluation.videos} videos):",
        "",
        f"Training set: {training.get('videos_per_class')}"
        + (f" ({training['videos_from_user_labels']} videos from people's corrections)"
           if training.get("videos_from_user_labels") else ""),
        grouping_sentence(evaluation),
        (f"Operating point (the most exercise videos right while {door_sentence(evaluation)}, "
         f"on these out-of-fold probabilities; the saved model uses it): "
         f"'not one of these' when the best exercise's median window probability "
         f"is below {chosen.point.threshold:.2f} or `other` is over {chosen.point.other_ratio:.2f}x as likely; "
         f"each held-out fold was decided with the point chosen on the other folds only "
         f"({chosen.folds_with_this_point} of {chosen.folds} folds got this same point)"),
        "",
        "| model | per item acc | per video acc | macro-F1 (video) | exercise videos right | negatives rejected |",
        "|---|---|---|---|---|---|",
        (f"| windows ({training.get('window_ms')} ms) | {_pct(window.per_window.accuracy)} | "
         f"{_pct(window.per_video.accuracy)} | {window.per_video.macro_f1:.3f} | "
         f"{_pct(op.exercise_videos_correct)} | {_pct(op.negatives_rejected)} |"),
        (f"| per frame (original design) | {_pct(baseline.per_frame.accuracy)} | "
         f"{_pct(baseline.per_video.accuracy)} | {baseline.per_video.macro_f1:.3f} | "
         f"{_pct(base_op.exercise_videos_correct)} | {_pct(base_op.negatives_rejected)} |"),
        *kind_lines(evaluation),
        "",
        "Per class (window model, per video): "
        + ", ".join(f"{c} P={v.precision:.2f} R={v.recall:.2f}" for c, v in window.per_video.per_class.items()),
    ]
    return "\n".join(lines)


def door_sentence(evaluation: Evaluation) -> str:
    """The floors the point was held to (fittrack.recognition.training.door_holds)."""
    if not evaluation.window.negatives_by_kind:
        return f"rejecting >= {MIN_REJECTED:.0%} of negatives"
    return (f"accepting at most {MAX_NOT_EXERCISE_ACCEPTED} negative that is no exercise at all and rejecting "
            f">= {MIN_LOOKALIKES_REJECTED:.0%} of the other negatives (gym look-alikes)")


def kind_lines(evaluation: Evaluation) -> list[str]:
    """Negatives rejected by kind, where the manifest named kinds."""
    kinds = evaluation.window.negatives_by_kind
    if not kinds:
        return []
    names = {"exercise": "another gym movement", "not_exercise": "no exercise at all"}
    return ["", "Negatives by kind (window model): " + ", ".join(
        f"{names.get(kind, kind)} ({kind}) {count.rejected} of {count.videos} rejected, {count.accepted} accepted"
        for kind, count in kinds.items())]


def _confusion_png(evaluation: Evaluation, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels, matrix = evaluation.window.confusion.labels, evaluation.window.confusion.matrix
    figure, axes = plt.subplots(figsize=(6, 5))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    axes.set_yticks(range(len(labels)), labels)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            axes.text(j, i, str(count), ha="center", va="center")
    axes.set_title(f"Per-video confusion ({evaluation.split})", fontsize=9)
    figure.tight_layout()
    write_atomically(path, lambda out: figure.savefig(out, dpi=100, format="png"))
    plt.close(figure)
