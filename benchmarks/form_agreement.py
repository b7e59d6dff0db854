"""Form cues against reps judged by eye: agreement, false "fault" and "not visible" per cue.

Every row of benchmarks/form_labels.csv is one rep (its video's sha256 and
its span in seconds, as the rep counter gave it when the frame sheets were
drawn) and one cue called ok or fault by eye. The cue is run on that span of
the video's stored rows (`fittrack.movement.form.rep_cues`, with the exercise the
cue belongs to, so a look-alike labelled for a fault is judged as the
exercise it imitates), and the verdicts are compared with the calls
(`fittrack.movement.form.measure_agreement`). The printed `MEASURED` table is what
fittrack/movement/form.py shows beside each cue.

Usage: python benchmarks/form_agreement.py [--store URL] [--labels benchmarks/form_labels.csv] [--per-rep]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def verdicts(labels: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The labels with the cue's verdict and value on each labelled span (a video missing from the store:
    verdict None)."""
    from fittrack.movement.form import RULE_OF, rep_cues

    by_video = {str(sha): video.sort_values("timestamp_ms").reset_index(drop=True)
                for sha, video in rows.groupby("video_id")}
    found: list[str | None] = []
    values: list[float | None] = []
    for label in labels.itertuples():
        video = by_video.get(str(label.sha256))
        if video is None:
            found.append(None)
            values.append(None)
            continue
        cue = {c.cue: c for c in rep_cues(video, RULE_OF[label.cue].exercise, (label.start_s, label.end_s))}[label.cue]
        found.append(cue.verdict)
        values.append(cue.value)
    return labels.assign(verdict=found, value=values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store")
    parser.add_argument("--labels", type=Path, default=ROOT / "benchmarks" / "form_labels.csv")
    parser.add_argument("--per-rep", action="store_true", help="print every labelled rep with its verdict")
    args = parser.parse_args()
    from benchmarks.stored_rows import stored_rows
    from fittrack.movement.form import CUE_RULES, measure_agreement

    stored = stored_rows(args.store)
    if stored is None:
        return 0
    labels = pd.read_csv(args.labels, comment="#")
    judged = verdicts(labels, stored[0])
    missing = judged[judged["verdict"].isna()]
    if len(missing):
        print(f"{len(missing)} labelled reps of {missing['video'].nunique()} videos not in the store: "
              f"{sorted(missing['video'].unique())}")
    judged = judged.dropna(subset=["verdict"])
    if args.per_rep:
        print(judged[["video", "rep", "cue", "call", "verdict", "value"]].to_string(index=False))
    print(f"\n{len(judged)} labelled reps\n")
    print("| cue | labelled (faults by eye) | not visible | agreement | false fault | bar |")
    print("|---|---|---|---|---|---|")
    table = []
    for rule in CUE_RULES:
        mine = judged[judged["cue"] == rule.cue]
        agreement = measure_agreement(zip(mine["call"], mine["verdict"], strict=True))
        table.append((rule.cue, agreement))
        rate = "-" if agreement.rate is None else f"{agreement.rate:.2f} ({agreement.agreed}/{agreement.judged})"
        false = "-" if agreement.false_fault_rate is None else \
            f"{agreement.false_fault_rate:.2f} ({agreement.false_faults}/{agreement.judged_ok})"
        print(f"| {rule.cue} | {agreement.labelled} ({int((mine['call'] == 'fault').sum())}) | "
              f"{agreement.not_visible} | {rate} | {false} | {'met' if agreement.meets_bar else 'not met'} |")
    print("\nMEASURED = {")
    for cue, agreement in table:
        if agreement.labelled:
            print(f'    "{cue}": CueAgreement({agreement.labelled}, {agreement.not_visible}, {agreement.agreed}, '
                  f"{agreement.judged_ok}, {agreement.false_faults}),")
    print("}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
