"""Write this run's copy of endpoints.yml with the action server on the given port.

``make serve`` starts the action server on ``ACTIONS_PORT``; endpoints.yml names the
default port, so the Rasa server it starts reads this copy instead.

    python scripts/run_endpoints.py 5055 .run/endpoints.yml
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml


def main(port: str, out: str) -> None:
    endpoints = yaml.safe_load(Path("endpoints.yml").read_text(encoding="utf-8"))
    endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{int(port)}/webhook"
    Path(out).write_text(yaml.safe_dump(endpoints, sort_keys=False), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:3])
