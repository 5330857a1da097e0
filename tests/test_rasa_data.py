"""`rasa data validate` on the real data: no warnings at all.

A reply only an action sends belongs in the catalogue (``words/``), not in the domain:
Rasa reports every domain response that no story or rule names as unused.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs `rasa data validate`

ROOT = Path(__file__).resolve().parents[1]
RASA = Path(sys.executable).with_name("rasa")


def test_training_data_and_domain_validate_without_warnings() -> None:
    run = subprocess.run([str(RASA), "data", "validate", "--fail-on-warnings", "--config",
                          "config.yml", "--domain", "domain", "--data", "data"], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    output = run.stdout + run.stderr
    assert re.findall(r"UserWarning: (.*)", output) == []
    assert "No story structure conflicts found" in output
