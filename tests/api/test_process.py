"""``python -m portal`` as ``make serve`` starts it: 127.0.0.1 only, answering, and gone
after SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.server import Client
from tests.e2e.servers import ROOT, free_port, wait_for
from tests.e2e.test_make_serve import listeners

pytestmark = pytest.mark.slow


def test_python_m_portal_serves_on_localhost(demo_sqlite: str, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "WAYPOINT_DATABASE_URL": demo_sqlite, "PYTHONPATH": str(ROOT)}
    log = open(tmp_path / "portal.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "portal", "--port", str(port)], cwd=ROOT,
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v1/health", 60)
        assert listeners(port) and all(a.startswith("127.0.0.1:") for a in listeners(port))
        reply = Client(f"http://127.0.0.1:{port}").call("GET", "/api/v1/services", "not-a-token")
        assert reply.status == 401 and reply.body == {"error": "this token is unknown or revoked"}
    finally:
        process.send_signal(signal.SIGTERM)
        # uvicorn shuts down cleanly, then re-raises the signal it caught.
        assert process.wait(timeout=30) in (0, -signal.SIGTERM)
    assert not listeners(port)
    assert "Traceback" not in (tmp_path / "portal.log").read_text()


def test_a_bad_setting_stops_it_at_start(tmp_path: Path) -> None:
    env = {**os.environ, "WAYPOINT_DATABASE_URL": "waypoint.db", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "portal", "--port", str(free_port())], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "WAYPOINT_DATABASE_URL" in done.stderr
