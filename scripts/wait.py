"""Wait until local servers answer (used by ``make serve``); exit 1 after a deadline."""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request


def wait(urls: list[str], deadline_s: float = 180.0) -> bool:
    end = time.monotonic() + deadline_s
    pending = list(urls)
    while pending and time.monotonic() < end:
        try:
            with urllib.request.urlopen(pending[0], timeout=2):
                pending.pop(0)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    return not pending


if __name__ == "__main__":
    ok = wait(sys.argv[1:])
    print("servers ready" if ok else "servers did not start in time", file=sys.stderr)
    sys.exit(0 if ok else 1)
