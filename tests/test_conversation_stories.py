"""Runs the conversation tests (tests/test_conversations.yml) against the trained model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.model  # needs models/waypoint.tar.gz

ROOT = Path(__file__).resolve().parents[1]
RASA = Path(sys.executable).with_name("rasa")
MODEL = ROOT / "models" / "waypoint.tar.gz"


def test_every_conversation_story_is_predicted_exactly(tmp_path: Path) -> None:
    assert MODEL.exists(), "no trained model: run `make train` (make test does)"
    run = subprocess.run([str(RASA), "test", "core", "--stories", "tests/test_conversations.yml",
                          "-m", str(MODEL), "--fail-on-prediction-errors", "--out", str(tmp_path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=900)
    failed = (tmp_path / "failed_test_stories.yml")
    report = failed.read_text(encoding="utf-8") if failed.exists() else ""
    assert run.returncode == 0, report or run.stderr[-3000:]
    assert "None of the test stories failed" in report
