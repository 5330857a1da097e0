"""`make serve` starts the provider API beside the bot, on 127.0.0.1 and ``PORTAL_PORT``,
over the demo directory; `make stop` stops it."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.api.server import Client
from tests.e2e.servers import MODEL, ROOT, free_port
from tests.e2e.test_make_serve import listeners

pytestmark = pytest.mark.model  # make serve starts Rasa with models/waypoint.tar.gz


def test_make_serve_starts_and_stop_stops_the_api(tmp_path: Path) -> None:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` (make test does)")
    portal = free_port()
    env = {**os.environ, "WAYPOINT_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    ports = [f"RASA_PORT={free_port()}", f"ACTIONS_PORT={free_port()}", f"PORTAL_PORT={portal}",
             f"RUN={tmp_path / 'run'}"]
    started = subprocess.run(["make", "--no-print-directory", "-o", "models/waypoint.tar.gz",
                              "serve", *ports], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=600)
    try:
        assert started.returncode == 0, started.stdout[-2000:] + started.stderr[-2000:]
        assert listeners(portal) and all(a.startswith("127.0.0.1:") for a in listeners(portal))
        api = Client(f"http://127.0.0.1:{portal}")
        assert api.call("GET", "/api/v1/openapi.json").status == 200
        assert api.call("GET", "/api/v1/services").status == 401
    finally:
        subprocess.run(["make", "--no-print-directory", "stop", *ports], cwd=ROOT, env=env,
                       capture_output=True, timeout=120)
    deadline = time.monotonic() + 30
    while listeners(portal) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not listeners(portal)
