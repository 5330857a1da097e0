"""`rasa data validate` on the real data: no warnings, except one Rasa cannot know about.

Rasa counts a response as unused unless a story or rule names it, but Waypoint's
actions send some responses themselves (``response="utter_…"``) and the search
form asks with ``utter_ask_<slot>``. Those, and only those, may be reported unused.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RASA = Path(sys.executable).with_name("rasa")


def responses_sent_by_code() -> set[str]:
    sent = set()
    for path in (ROOT / "actions").glob("*.py"):
        sent |= set(re.findall(r'response="(utter_[a-z_]+)"', path.read_text(encoding="utf-8")))
    return sent | {"utter_ask_place", "utter_ask_service_category"}


def test_training_data_and_domain_validate_without_warnings() -> None:
    run = subprocess.run([str(RASA), "data", "validate", "--config", "config.yml", "--domain",
                          "domain", "--data", "data"], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    output = run.stdout + run.stderr
    warnings = re.findall(r"UserWarning: (.*)", output)
    allowed = responses_sent_by_code()
    unexpected = [w for w in warnings
                  if not (m := re.match(r"The utterance '(utter_[a-z_]+)' is not used in any story",
                                        w)) or m.group(1) not in allowed]
    assert unexpected == []
    assert "No story structure conflicts found" in output
