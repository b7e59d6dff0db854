"""Files in the embedded broker folder over idle minutes, after a Flower has come and gone.

Two idle workers (`fittrack worker -c 1`, twice) and a Flower that runs for
30 s and is stopped; then the folder's files are counted every 30 s for
`--minutes`, once with the pruning of abandoned queues off
(FITTRACK_BROKER_PRUNE_AFTER_SECONDS=0, the behaviour before 2026-12-02)
and once with the default, in fresh homes, in one run. Prints files at the
start and end of each phase and the growth in files per minute.

Usage: python benchmarks/broker_growth.py [--minutes 10]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def files_in(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file())


def idle_growth(home: Path, prune_after_s: float, minutes: float) -> tuple[int, int, int]:
    """(files after Flower stopped, files at the end, most files seen) over `minutes` idle minutes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FITTRACK_")}
    env.update(FITTRACK_HOME=str(home), FITTRACK_BROKER_PRUNE_AFTER_SECONDS=str(prune_after_s),
               PYTHONPATH=str(ROOT))
    fittrack = [sys.executable, "-m", "fittrack"]
    home.mkdir(parents=True, exist_ok=True)
    log = (home / "services.log").open("ab")
    workers = [subprocess.Popen([*fittrack, "worker", "-c", "1", "-n", f"idle{i}@%h"], env=env, stdout=log,
                                stderr=subprocess.STDOUT) for i in range(2)]
    try:
        time.sleep(20)  # the workers start (a benchmark, not a test: fixed waits are its clock)
        flower = subprocess.Popen([*fittrack, "flower", "--port", "0"], env=env, stdout=log, stderr=subprocess.STDOUT)
        time.sleep(30)
        flower.send_signal(signal.SIGTERM)
        flower.wait(30)
        folder = home / "broker"
        start = most = files_in(folder)
        for _ in range(int(minutes * 2)):
            time.sleep(30)
            most = max(most, files_in(folder))
        return start, files_in(folder), most
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fittrack-broker-") as folder:
        for name, prune_after_s in (("pruning off", 0.0), ("pruning on (default)", 120.0)):
            start, end, most = idle_growth(Path(folder) / name.split()[1], prune_after_s, args.minutes)
            print(f"{name}: {start} files after Flower stopped, {end} after {args.minutes:g} idle minutes "
                  f"(at most {most}): {(end - start) / args.minutes:+.1f} files/min", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
