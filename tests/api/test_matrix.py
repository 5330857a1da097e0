"""Who may make which write through the API: provider (own and another organization's),
peer worker, admin, and a revoked account, for every write, on SQLite and PostgreSQL.
The answer comes from ``directory.access`` alone; a refusal changes nothing and is audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from directory.db import session_scope
from directory.models import AuditEntry, Service
from tests.api.server import Api

V1 = "/api/v1"
WRITES: list[tuple[str, str, str, Any]] = [
    ("beds", "PUT", "beds", {"available": 2, "maximum": 30}),
    ("hours", "PUT", "hours", {"rules": [{"days": ["WE"], "opens": "08:00", "closes": "12:00"}]}),
    ("close", "POST", "closures", {"reason": "staff training", "reason_fr": "formation"}),
    ("reopen", "DELETE", "closures", None),
    ("confirm", "POST", "confirm", None),
]
# (role, which service) -> the status every write gets
MATRIX = {
    ("provider", "ours"): 200,
    ("provider", "theirs"): 403,
    ("peer", "ours"): 403,
    ("admin", "theirs"): 200,
    ("revoked", "ours"): 401,
}


def version_of(url: str, service_id: str) -> int:
    with session_scope(url) as s:
        return s.get(Service, service_id).version  # type: ignore[union-attr]


def test_every_write_for_every_role(api: Api, people: dict[str, Any]) -> None:
    seen = {}
    for (role, which), expected in MATRIX.items():
        sid = people[which]
        for change, method, path, body in WRITES:
            before = version_of(api.url, sid)
            reply = api.call(method, f"{V1}/services/{sid}/{path}", people["tokens"][role], body,
                             if_match=f'"v{before}"')
            seen[(role, which, change)] = reply.status
            assert set(reply.body) == ({"error"} if expected != 200 else set(reply.body))
            after = version_of(api.url, sid)
            assert after == (before + 1 if expected == 200 else before), (role, which, change)
            if expected == 200:
                assert reply.etag == f'"v{after}"' and reply.body["version"] == after
    assert seen == {(role, which, change): status for (role, which), status in MATRIX.items()
                    for change, *_ in WRITES}
    with session_scope(api.url) as s:
        refusals = s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("refused %"))).all()
    # Every 403 is in the audit log (a revoked token never reaches the access rule).
    assert sorted(refusals) == sorted(f"refused {c}" for c in
                                      ("beds", "hours", "close", "reopen", "confirm") * 2)
