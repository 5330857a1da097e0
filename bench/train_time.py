"""Training time from scratch, Waypoint against the stock `rasa init` bot, in one run.

``python -m bench.train_time`` trains both assistants with ``rasa train`` as a person
would (Waypoint exactly as ``make train`` does; the stock bot from the project that
``rasa init`` writes, shipped inside Rasa), each time with an empty Rasa cache of its
own, so no run reuses another's work. The two are trained in alternating order,
``--repeats`` times each, so background load on a shared machine hits both alike. It
prints each run, the median per bot, the ratio of medians and the model sizes.

Nothing here touches ``models/``: every model is written to a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RASA = Path(sys.executable).with_name("rasa")


def stock_project(into: Path) -> Path:
    """A copy of the project ``rasa init`` scaffolds, without training it."""
    import rasa.cli

    template = Path(rasa.cli.__file__).parent / "initial_project"
    return Path(shutil.copytree(template, into / "stock"))


def train_once(bot: str, stock: Path, scratch: Path) -> tuple[float, int]:
    """Seconds to train ``bot`` from scratch, and the model's size in bytes."""
    cache, out = Path(tempfile.mkdtemp(dir=scratch)), Path(tempfile.mkdtemp(dir=scratch))
    env = {**os.environ, "RASA_CACHE_DIRECTORY": str(cache), "RASA_TELEMETRY_ENABLED": "false"}
    if bot == "waypoint":
        command = [str(RASA), "train", "--config", "config.yml", "--domain", "domain",
                   "--data", "data", "--out", str(out), "--fixed-model-name", "model"]
        cwd = ROOT
    else:
        command = [str(RASA), "train", "--out", str(out), "--fixed-model-name", "model"]
        cwd = stock
    started = time.perf_counter()
    run = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"{bot} failed to train:\n{run.stdout[-2000:]}{run.stderr[-2000:]}")
    size = (out / "model.tar.gz").stat().st_size
    shutil.rmtree(cache)
    shutil.rmtree(out)
    return seconds, size


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.train_time",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3,
                        help="trainings of each bot (default 3; about 2.5 minutes a pair)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    times: dict[str, list[float]] = {"waypoint": [], "stock": []}
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        stock = stock_project(scratch)
        for i in range(args.repeats):
            order = ("waypoint", "stock") if i % 2 == 0 else ("stock", "waypoint")
            for bot in order:
                seconds, sizes[bot] = train_once(bot, stock, scratch)
                times[bot].append(seconds)
                print(f"run {i + 1}: {bot:<9} {seconds:6.1f} s", flush=True)
    medians = {bot: statistics.median(runs) for bot, runs in times.items()}
    print(f"\n{'bot':<10}{'runs':>5}{'median s':>10}{'min s':>8}{'max s':>8}{'model MB':>10}")
    for bot, runs in times.items():
        print(f"{bot:<10}{len(runs):>5}{medians[bot]:>10.1f}{min(runs):>8.1f}{max(runs):>8.1f}"
              f"{sizes[bot] / 1e6:>10.1f}")
    print(f"\nWaypoint / stock, median training time: {medians['waypoint'] / medians['stock']:.2f}x")


if __name__ == "__main__":
    main()
