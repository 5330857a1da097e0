"""`make serve` and `make stop` as a person runs them: both servers on 127.0.0.1 only, the
REST channel answering, and Rasa's HTTP API off when no token is set."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.servers import MODEL, ROOT, free_port

pytestmark = pytest.mark.model  # needs models/waypoint.tar.gz


def listeners(port: int) -> list[str]:
    """The local addresses listening on ``port``, from the kernel's socket table."""
    out = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True)
    return [line.split()[3] for line in out.stdout.splitlines() if line.strip()]


def test_make_serve_without_a_token(tmp_path: Path) -> None:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` (make test does)")
    rasa_port, actions_port, portal_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k != "WAYPOINT_RASA_TOKEN"}
    env["WAYPOINT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo.db'}"
    ports = [f"RASA_PORT={rasa_port}", f"ACTIONS_PORT={actions_port}",
             f"PORTAL_PORT={portal_port}", f"RUN={tmp_path / 'run'}"]
    # -o: serve the model that is there (make test trained it); never train inside a test.
    started = subprocess.run(["make", "--no-print-directory", "-o", "models/waypoint.tar.gz",
                              "serve", *ports], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=600)
    try:
        assert started.returncode == 0, started.stdout[-2000:] + started.stderr[-2000:]
        for port in (rasa_port, actions_port, portal_port):
            assert listeners(port) and all(a.startswith("127.0.0.1:") for a in listeners(port))
        request = urllib.request.Request(
            f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
            data=json.dumps({"sender": "make-serve", "message": "bonjour"}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as reply:
            assert "De quoi avez-vous besoin" in json.load(reply)[0]["text"]
        # A search goes through the action server, on ACTIONS_PORT, not the default 5055.
        search = urllib.request.Request(
            f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
            data=json.dumps({"sender": "make-serve-2", "message": "need a meal in Vanier"}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(search, timeout=30) as reply:
            first = json.load(reply)[0]["text"]
        assert first.startswith("1. ") and "km" in first and "verified" in first, first
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(
                f"http://127.0.0.1:{rasa_port}/model/parse", data=b'{"text": "hi"}'), timeout=10)
        assert refused.value.code == 404  # no token, no HTTP API at all
    finally:
        subprocess.run(["make", "--no-print-directory", "stop", *ports], cwd=ROOT, env=env,
                       capture_output=True, timeout=120)
    deadline = time.monotonic() + 30
    while (listeners(rasa_port) or listeners(actions_port)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not listeners(rasa_port) and not listeners(actions_port)
