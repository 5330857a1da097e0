"""``python -m portal [--host 127.0.0.1] [--port 5080]``: serve the provider API with uvicorn."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5080, help="Port (default 5080)")
    args = parser.parse_args(argv)

    import uvicorn

    from portal.api import create_app
    from settings import SettingsError

    try:
        app = create_app()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # ws="none": the API has no websockets, and uvicorn's websocket code needs a newer
    # `websockets` than the one Rasa 3.6 pins.
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", ws="none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
