"""A fresh clone to the first reply of `make run`, as a new user meets it.

``python -m bench.first_reply`` clones this repository's committed ``HEAD`` into a
temporary folder and runs ``make run`` there on free ports, with an empty Rasa cache and
nothing of this checkout's ``.venv``, model or database. It types "hi" as a person would
and prints the time to each milestone: the virtualenv installed, the model trained, the
first reply. ``--cold-pip`` also gives pip an empty cache, so every package is downloaded
(the default uses the machine's pip cache, as a second try on the same machine would).
"""

from __future__ import annotations

import argparse
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Lines of `make run`'s output that mark a milestone, and the milestone's name.
MILESTONES = {"touch .venv/.installed": "installed", "Your Rasa model is trained": "trained",
              "waypoint> ": "first reply"}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def first_reply(cold_pip: bool, limit: float) -> dict[str, float]:
    """Seconds from the start of the clone to each milestone."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        clone = Path(tmp) / "waypoint"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "WAYPOINT_"))}
        env.update(PYTHONUNBUFFERED="1", RASA_CACHE_DIRECTORY=str(Path(tmp) / "rasa-cache"),
                   RASA_TELEMETRY_ENABLED="false")
        if cold_pip:
            env["PIP_CACHE_DIR"] = str(Path(tmp) / "pip-cache")
        command = ["make", "run", f"RASA_PORT={free_port()}", f"ACTIONS_PORT={free_port()}"]
        proc = subprocess.Popen(command, cwd=clone, env=env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines: queue.Queue[str | None] = queue.Queue()

        def read() -> None:
            for line in proc.stdout:  # type: ignore[union-attr]
                lines.put(line)
            lines.put(None)

        threading.Thread(target=read, daemon=True).start()
        proc.stdin.write("hi\n")  # type: ignore[union-attr]
        proc.stdin.flush()  # type: ignore[union-attr]
        seen: dict[str, float] = {"cloned": 0.0}
        tail: list[str] = []
        try:
            while "first reply" not in seen:
                line = lines.get(timeout=max(1.0, limit - (time.perf_counter() - started)))
                if line is None:
                    raise SystemExit("make run ended before replying:\n" + "".join(tail[-30:]))
                tail.append(line)
                for marker, name in MILESTONES.items():
                    if marker in line and name not in seen:
                        seen[name] = time.perf_counter() - started
        except queue.Empty:
            raise SystemExit(f"no reply within {limit:.0f} s:\n" + "".join(tail[-30:])) from None
        finally:
            proc.stdin.close()  # type: ignore[union-attr]  # end of input: the chat quits
            try:
                proc.wait(timeout=60)  # and `make run` stops both servers on its way out
            except subprocess.TimeoutExpired:
                proc.kill()
        return seen


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.first_reply",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--cold-pip", action="store_true",
                        help="give pip an empty cache, so every package is downloaded")
    parser.add_argument("--limit", type=float, default=1800, help="give up after this many seconds")
    args = parser.parse_args(argv)
    seen = first_reply(args.cold_pip, args.limit)
    cache = "an empty pip cache" if args.cold_pip else "the machine's pip cache"
    print(f"Fresh clone of HEAD to the first reply of `make run`, with {cache}:")
    for name, seconds in seen.items():
        print(f"  {name:<12} {seconds:7.1f} s")


if __name__ == "__main__":
    sys.exit(main())
