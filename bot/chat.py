"""A terminal chat with the running assistant, through the REST channel (``make run``)."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
import uuid

URL = "http://127.0.0.1:5005/webhooks/rest/webhook"


def send(text: str, sender: str, url: str = URL, timeout: float = 10.0) -> list[str]:
    body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        return [m["text"] for m in json.load(reply) if m.get("text")]


def main() -> None:
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    print("Waypoint (demo data, fictional services). Type a message; Ctrl-D to quit.")
    print("Waypoint (données de démo, services fictifs). Écrivez un message; Ctrl-D pour quitter.")
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            for text in send(line.strip(), sender):
                print(f"  waypoint> {text}")
        except (urllib.error.URLError, TimeoutError) as exc:
            print(f"  (cannot reach the assistant at {URL}: {exc}; is `make serve` running?)")


if __name__ == "__main__":
    main()
