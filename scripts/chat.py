"""A terminal chat with the running assistant, through the REST channel (``make run``).

Buttons are shown numbered, as SMS shows them; typing the number sends the button.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
import uuid
from typing import Any

URL = "http://127.0.0.1:5005/webhooks/rest/webhook"


def send(text: str, sender: str, url: str = URL, timeout: float = 10.0) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        return [m for m in json.load(reply) if m.get("text")]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python scripts/chat.py", description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=URL, help=f"the REST webhook (default {URL})")
    url = parser.parse_args(argv).url
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    print("Waypoint (demo data, fictional services). Type a message; Ctrl-D to quit.")
    print("Waypoint (données de démo, services fictifs). Écrivez un message; Ctrl-D pour quitter.")
    choices: list[str] = []
    for line in sys.stdin:
        typed = line.strip()
        if not typed:
            continue
        if typed.isdigit() and 0 < int(typed) <= len(choices):
            typed = choices[int(typed) - 1]
        try:
            messages = send(typed, sender, url)
        except (urllib.error.URLError, TimeoutError) as exc:
            print(f"  (cannot reach the assistant at {url}: {exc}; is `make serve` running?)")
            continue
        choices = []
        for message in messages:
            print(f"  waypoint> {message['text']}")
            for button in message.get("buttons") or []:
                choices.append(str(button.get("payload", "")))
                print(f"     {len(choices)}) {button.get('title', '')}")


if __name__ == "__main__":
    main()
