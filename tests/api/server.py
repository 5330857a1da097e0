"""The provider API on a free local port, over real HTTP: uvicorn in a thread of the test
process, against the test's own database; and a small ``urllib`` client for it."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import uvicorn
from sqlalchemy import select

from directory import accounts
from directory.access import Actor
from directory.db import session_scope
from directory.models import Service, ServiceAtLocation
from portal.api import create_app
from tests.e2e.servers import free_port

ADMIN = Actor.operator("api test")


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")


class Client:
    """Calls the API at ``base`` with ``urllib``; every answer is JSON."""

    def __init__(self, base: str) -> None:
        self.base = base

    def call(self, method: str, path: str, token: str | None = None, body: Any = None,
             if_match: str | None = None, raw: bytes | None = None,
             headers: dict[str, str] | None = None) -> Reply:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if if_match is not None:
            sent["If-Match"] = if_match
        data = raw if raw is not None else None if body is None else json.dumps(body).encode()
        if data is not None:
            sent["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=20) as reply:
                return Reply(reply.status, {k.lower(): v for k, v in reply.headers.items()},
                             json.load(reply))
        except urllib.error.HTTPError as err:
            text = err.read().decode("utf-8")
            return Reply(err.code, {k.lower(): v for k, v in err.headers.items()},
                         json.loads(text) if text else None)


class Api(Client):
    """uvicorn serving ``create_app(url)`` on 127.0.0.1 until :meth:`stop`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.port = free_port()
        super().__init__(f"http://127.0.0.1:{self.port}")
        config = uvicorn.Config(create_app(url), host="127.0.0.1", port=self.port,
                                log_level="warning", lifespan="off", ws="none")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise TimeoutError("the API did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


def world(url: str) -> dict[str, Any]:
    """Two services of different organizations in the demo directory, and an account of
    every role, plus a provider whose account is revoked."""
    with session_scope(url) as s:
        rows = s.execute(select(Service.id, Service.organization_id)
                         .join(ServiceAtLocation, ServiceAtLocation.service_id == Service.id)
                         .where(Service.confidential.is_(False))
                         .order_by(Service.id)).all()
        ours, org = rows[0]
        theirs = next(sid for sid, other in rows if other != org)
        made = {"provider": accounts.create(s, ADMIN, "provider", "front desk", org),
                "peer": accounts.create(s, ADMIN, "peer", "outreach"),
                "admin": accounts.create(s, ADMIN, "admin", "coordinator"),
                "revoked": accounts.create(s, ADMIN, "provider", "left the job", org)}
        accounts.revoke(s, ADMIN, made["revoked"].id)
    return {"ours": ours, "theirs": theirs, "org": org,
            "tokens": {role: new.token for role, new in made.items()}}
