"""Start a Rasa server the Waypoint way: ``python -m bot.server run …``.

The arguments are Rasa's own (``run -m models/waypoint.tar.gz --credentials …``).
Before Rasa reads them, this checks the settings (a wrong value stops here, with
the variable named) and installs Waypoint's patches to Rasa (``bot.patches``).
The action server needs neither and stays ``rasa run actions``.
"""

from __future__ import annotations

import sys

import settings
from bot import patches


def main() -> None:
    try:
        settings.load()
    except settings.SettingsError as exc:
        raise SystemExit(f"error: {exc}") from None
    patches.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    sys.argv[0] = "rasa"
    main()
