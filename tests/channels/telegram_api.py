"""A local stand-in for the Telegram Bot API, so no test touches the network.

Serves ``/bot<token>/<method>`` on 127.0.0.1 from a thread, answers like
Telegram (``{"ok": true, "result": ...}``, with Message objects for sends) and
records every call with its parameters, parsed from JSON or form bodies (PTB
sends forms, with JSON-encoded markup). Tests queue updates for ``getUpdates``
and can make the next call of a method fail, e.g. with a 429 ``retry_after``.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qsl

BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "Waypoint",
            "username": "waypoint_test_bot", "can_join_groups": False,
            "can_read_all_group_messages": False, "supports_inline_queries": False}


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]


def parse_params(content_type: str, body: bytes) -> dict[str, Any]:
    """Parameters from a JSON or form body; JSON objects and lists inside forms decoded."""
    if not body:
        return {}
    if content_type.startswith("application/json"):
        return dict(json.loads(body))
    params: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
        if value[:1] in ("{", "["):
            try:
                value = json.loads(value)
            except ValueError:
                pass
        params[key] = value
    return params


class TelegramApi:
    """The stand-in server. Use as a context manager, or call ``start`` and ``stop``."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.failures: dict[str, list[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def url(self) -> str:
        """The base URL for WAYPOINT_TELEGRAM_API_URL."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> TelegramApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> TelegramApi:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # ---- for tests --------------------------------------------------------

    def queue_update(self, update: dict[str, Any]) -> None:
        with self._lock:
            self.updates.append(update)

    def fail_next(self, method: str, error_code: int = 429, description: str = "Too Many Requests",
                  retry_after: int | None = None) -> None:
        """Make the next call of ``method`` fail as Telegram would."""
        error: dict[str, Any] = {"ok": False, "error_code": error_code, "description": description}
        if retry_after is not None:
            error["parameters"] = {"retry_after": retry_after}
        with self._lock:
            self.failures.setdefault(method, []).append(error)

    def calls_of(self, method: str | None = None,
                 chat_id: int | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if (method is None or c.method == method)
                    and (chat_id is None or str(c.params.get("chat_id")) == str(chat_id))]

    def wait_calls(self, method: str | None, chat_id: int | None, count: int,
                   seconds: float = 20, settle: float = 0.3) -> list[Call]:
        """The calls once at least ``count`` have come (and no more for ``settle`` seconds)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            calls = self.calls_of(method, chat_id)
            if len(calls) >= count:
                time.sleep(settle)
                return self.calls_of(method, chat_id)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} {method} calls, got {self.calls_of(method, chat_id)}")

    # ---- the Bot API ------------------------------------------------------

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.calls.append(Call(method, params))
            failures = self.failures.get(method)
            if failures:
                error = failures.pop(0)
                return int(error["error_code"]), error
        handler: Callable[[dict[str, Any]], Any] | None = {
            "getMe": lambda _: BOT_USER,
            "sendMessage": self._message,
            "sendVenue": self._message,
            "answerCallbackQuery": lambda _: True,
            "setWebhook": lambda _: True,
            "deleteWebhook": lambda _: True,
            "getUpdates": self._get_updates,
        }.get(method)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        return 200, {"ok": True, "result": handler(params)}

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": next(self._ids), "date": int(time.time()), "from": BOT_USER,
            "chat": {"id": chat_id, "type": "private", "first_name": "Test"}}
        if "text" in params:
            message["text"] = params["text"]
        if "latitude" in params:
            location = {"latitude": float(params["latitude"]), "longitude": float(params["longitude"])}
            message["location"] = location
            message["venue"] = {"location": location, "title": params.get("title", ""),
                                "address": params.get("address", "")}
        if isinstance(params.get("reply_markup"), dict):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Queued updates from ``offset`` on; waits a little (not the full long poll) when none."""
        offset = int(params.get("offset") or 0)
        end = time.monotonic() + min(float(params.get("timeout") or 0), 0.5)
        while True:
            with self._lock:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                if self.updates or time.monotonic() >= end:
                    return list(self.updates)
            time.sleep(0.05)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                self.reply(*self.route())

            do_GET = do_POST  # noqa: N815

            def route(self) -> tuple[int, dict[str, Any]]:
                parts = self.path.split("?")[0].strip("/").split("/")
                if len(parts) != 2 or parts[0] != f"bot{api.token}":
                    return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                try:
                    params = parse_params(self.headers.get("Content-Type") or "", body)
                except ValueError:
                    return 400, {"ok": False, "error_code": 400, "description": "Bad Request"}
                return api.answer(parts[1], params)

            def reply(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: Any) -> None:
                """Quiet: the tests read the recorded calls instead."""

        return Handler
