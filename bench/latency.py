"""End-to-end reply latency through the REST channel, against the stock `rasa init` bot.

``python -m bench.latency`` builds a 100k-service directory, trains the stock
``rasa init`` assistant, then starts both bots: Waypoint's action server and
Rasa server (the trained ``models/waypoint.tar.gz``, with the action endpoint
settings of ``endpoints.yml``) and the stock bot with its own. Each bot gets
one conversation of warm-up, then scripted conversations (Waypoint: "I need
food near Vanier", "more", …; stock: "hello", …) from 1 and from 20 concurrent
senders, every request timed. The two bots are measured in alternating blocks
(``--blocks``), so background load on a shared machine hits both alike. It
prints p50/p95, errors, and the ratio of p95s.

The stock bot does structurally less per message: its stories call no custom
action (its action server is started but never called), and it uses Rasa's
plain REST channel; each Waypoint search or hours message makes one action
server round trip and a directory query.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from directory.db import session_scope, upgrade
from directory.generate import generate

ROOT = Path(__file__).resolve().parents[1]
RASA = Path(sys.executable).with_name("rasa")
WAYPOINT_SCRIPT = ["hi", "I need food near Vanier", "more", "when does it open?",
                   "j'ai besoin d'une douche à Hull", "plus", "merci"]
STOCK_SCRIPT = ["hello", "I am sad", "yes", "great", "bye", "hi", "goodbye"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def fallback_texts() -> tuple[str, ...]:
    """What the guard sends when a turn failed or timed out: a reply, but an error here."""
    from safety.fallback import fallback_text

    return fallback_text("en"), fallback_text("fr")


def post(port: int, sender: str, text: str) -> tuple[float, bool]:
    body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
    request = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            messages = json.load(reply) if reply.status == 200 else []
        ok = bool(messages) and not any(m.get("text") in fallback_texts() for m in messages)
    except OSError:
        ok = False
    return (time.perf_counter() - started) * 1000, ok


def conversation(port: int, script: list[str], rounds: int) -> list[tuple[float, bool]]:
    out = []
    for _ in range(rounds):
        sender = f"bench-{uuid.uuid4().hex[:8]}"
        out.extend(post(port, sender, text) for text in script)
    return out


def measure(port: int, script: list[str], users: int, rounds: int) -> list[tuple[float, bool]]:
    """Every request of ``rounds`` conversations from each of ``users`` concurrent senders."""
    with ThreadPoolExecutor(max_workers=users) as pool:
        return [r for batch in pool.map(lambda _: conversation(port, script, rounds), range(users))
                for r in batch]


def summary(results: list[tuple[float, bool]]) -> tuple[float, float, int, int]:
    times = [t for t, _ in results]
    return statistics.median(times), percentile(times, 0.95), sum(not ok for _, ok in results), len(results)


def wait(url: str, seconds: float = 240) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(url)


def start(cmd: list[str], cwd: Path, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    import os

    return subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})},
                            stdout=open(log, "wb"), stderr=subprocess.STDOUT)


def stop(*procs: subprocess.Popen) -> None:
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def endpoints_for(port: int) -> str:
    """The project's endpoints.yml (timeout, selective domain, …) pointed at ``port``."""
    config = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8")) or {}
    action = {**(config.get("action_endpoint") or {}), "url": f"http://127.0.0.1:{port}/webhook"}
    return yaml.safe_dump({"action_endpoint": action})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3,
                        help="conversations per sender per block with 20 senders")
    parser.add_argument("--single-rounds", type=int, default=10,
                        help="conversations per block with 1 sender")
    parser.add_argument("--blocks", type=int, default=2,
                        help="alternating measurement blocks per bot and sender count")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="waypoint-latency-"))
    procs: list[subprocess.Popen] = []
    try:
        db = f"sqlite:///{tmp / 'directory.db'}"
        upgrade(db)
        with session_scope(db) as session:
            generate(session, args.services, seed=5)

        stock_dir = tmp / "stock"
        stock_dir.mkdir()
        started = time.perf_counter()
        subprocess.run([str(RASA), "init", "--no-prompt", "--init-dir", str(stock_dir)],
                       check=True, capture_output=True)
        stock_train = time.perf_counter() - started
        model = next((stock_dir / "models").glob("*.tar.gz"))

        env = {"WAYPOINT_DATABASE_URL": db, "SANIC_HOST": "127.0.0.1"}
        endpoints = tmp / "endpoints.yml"
        endpoints.write_text(endpoints_for(5155), encoding="utf-8")
        procs.append(start([str(RASA), "run", "actions", "--actions", "actions", "-p", "5155"], ROOT,
                           tmp / "actions.log", env))
        procs.append(start([sys.executable, "-m", "bot.server", "run",
                            "-m", "models/waypoint.tar.gz", "-i", "127.0.0.1", "-p", "5105",
                            "--credentials", "credentials.yml",
                            "--endpoints", str(endpoints)], ROOT,
                           tmp / "rasa.log", env))
        (stock_dir / "endpoints.yml").write_text('action_endpoint:\n  url: "http://127.0.0.1:5156/webhook"\n')
        procs.append(start([str(RASA), "run", "actions", "-p", "5156"], stock_dir,
                           tmp / "stock-actions.log", {"SANIC_HOST": "127.0.0.1"}))
        procs.append(start([str(RASA), "run", "-m", str(model), "-i", "127.0.0.1", "-p", "5106",
                            "--endpoints", "endpoints.yml"], stock_dir, tmp / "stock.log"))
        wait("http://127.0.0.1:5155/health")
        wait("http://127.0.0.1:5105/webhooks/rest/")
        wait("http://127.0.0.1:5106/webhooks/rest/")

        bots = {"waypoint": (5105, WAYPOINT_SCRIPT), "stock": (5106, STOCK_SCRIPT)}
        for port, script in bots.values():
            conversation(port, script, 1)  # warm up, not timed
        results: dict[tuple[str, int], list[tuple[float, bool]]] = {}
        for users in (1, 20):
            rounds = args.single_rounds if users == 1 else args.rounds
            for _ in range(args.blocks):
                for name, (port, script) in bots.items():
                    results.setdefault((name, users), []).extend(measure(port, script, users, rounds))
    finally:
        for proc in reversed(procs):
            stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nREST round trip per message, {args.services:,}-service directory; per bot, "
          f"{args.blocks} alternating blocks of {args.single_rounds} conversations (1 sender) "
          f"and of {args.rounds} conversations per sender (20 senders), "
          f"{len(WAYPOINT_SCRIPT)} messages each")
    print(f"{'bot':<10}{'senders':>6}{'p50 ms':>10}{'p95 ms':>10}{'errors':>8}")
    p95 = {}
    for name in bots:
        for users in (1, 20):
            p50, p95[name, users], errors, total = summary(results[name, users])
            print(f"{name:<10}{users:>6}{p50:>10.1f}{p95[name, users]:>10.1f}{errors:>8}/{total}")
    for users in (1, 20):
        print(f"p95 ratio waypoint/stock at {users} sender(s): "
              f"{p95['waypoint', users] / p95['stock', users]:.2f}x")
    print(f"stock `rasa init` training time: {stock_train:.0f} s")

if __name__ == "__main__":
    main()
