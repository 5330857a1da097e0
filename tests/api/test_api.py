"""The provider API over real HTTP, on SQLite and PostgreSQL: tokens, reads, every write
with its ETag and If-Match, refusals, bad values, and that a change is what the bot reads
next (``directory.listing.details``)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from directory.db import session_scope
from directory.listing import details
from directory.models import AuditEntry, Service
from tests.api.server import Api

V1 = "/api/v1"


def version_of(url: str, service_id: str) -> int:
    with session_scope(url) as s:
        return s.get(Service, service_id).version  # type: ignore[union-attr]


def read(api: Api, people: dict[str, Any], role: str = "provider", sid: str | None = None) -> Any:
    reply = api.call("GET", f"{V1}/services/{sid or people['ours']}", people["tokens"][role])
    assert reply.status == 200, reply.body
    return reply


def test_the_openapi_document_lists_every_path(api: Api) -> None:
    reply = api.call("GET", f"{V1}/openapi.json")
    assert reply.status == 200
    paths = reply.body["paths"]
    assert {p: sorted(m) for p, m in paths.items()} == {
        f"{V1}/health": ["get"],
        f"{V1}/services": ["get"],
        f"{V1}/services/{{service_id}}": ["get"],
        f"{V1}/services/{{service_id}}/beds": ["put"],
        f"{V1}/services/{{service_id}}/hours": ["put"],
        f"{V1}/services/{{service_id}}/closures": ["delete", "post"],
        f"{V1}/services/{{service_id}}/confirm": ["post"],
    }
    assert reply.body["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    put = paths[f"{V1}/services/{{service_id}}/beds"]["put"]
    assert {"412", "428", "403", "401", "404", "422"} <= set(put["responses"])
    assert any(p["name"] == "If-Match" for p in put["parameters"])
    assert "available" in reply.body["components"]["schemas"]["Beds"]["properties"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic dXNlcjpwYXNz"},
                                     {"Authorization": "Bearer not-a-token"}])
def test_no_token_or_a_wrong_one_is_401(api: Api, people: dict[str, Any],
                                        headers: dict[str, str]) -> None:
    for method, path in (("GET", "/services"), ("GET", f"/services/{people['ours']}"),
                         ("POST", f"/services/{people['ours']}/confirm")):
        reply = api.call(method, V1 + path, headers=headers, if_match='"v1"')
        assert reply.status == 401, reply.body
        assert reply.headers["www-authenticate"].startswith("Bearer")
        assert set(reply.body) == {"error"}


def test_a_revoked_token_is_401_and_changes_nothing(api: Api, people: dict[str, Any]) -> None:
    before = version_of(api.url, people["ours"])
    reply = api.call("PUT", f"{V1}/services/{people['ours']}/beds", people["tokens"]["revoked"],
                     {"available": 1}, if_match=f'"v{before}"')
    assert reply.status == 401 and "revoked" in reply.body["error"]
    assert version_of(api.url, people["ours"]) == before


def test_the_services_each_role_may_change(api: Api, people: dict[str, Any]) -> None:
    tokens = people["tokens"]
    mine = api.call("GET", f"{V1}/services", tokens["provider"]).body["services"]
    assert mine and {s["organization_id"] for s in mine} == {people["org"]}
    assert people["ours"] in {s["id"] for s in mine} and people["theirs"] not in {s["id"] for s in mine}
    everything = api.call("GET", f"{V1}/services", tokens["admin"]).body["services"]
    with session_scope(api.url) as s:
        assert len(everything) == s.scalar(select(func.count()).select_from(Service))
    assert api.call("GET", f"{V1}/services", tokens["peer"]).body == {"services": []}
    assert all(isinstance(s["version"], int) for s in everything)


def test_a_service_reads_with_its_version_and_etag(api: Api, people: dict[str, Any]) -> None:
    reply = read(api, people)
    version = version_of(api.url, people["ours"])
    assert reply.body["version"] == version and reply.etag == f'"v{version}"'
    with session_scope(api.url) as s:
        listing = details(s, people["ours"])
    assert {k: reply.body[k] for k in ("id", "name", "organization_id", "open", "categories")} == {
        k: v for k, v in listing.to_json().items() if k in ("id", "name", "organization_id", "open",
                                                             "categories")}
    assert reply.body["hours"] and all("opens" in r for r in reply.body["hours"])
    french = api.call("GET", f"{V1}/services/{people['ours']}?lang=fr", people["tokens"]["provider"])
    assert french.status == 200 and french.body["name"] == listing.title("fr")
    # A peer worker reads any listing; a provider only its own organization's.
    assert read(api, people, "peer", people["theirs"]).body["id"] == people["theirs"]
    refused = api.call("GET", f"{V1}/services/{people['theirs']}", people["tokens"]["provider"])
    assert refused.status == 403 and "organization" in refused.body["error"]


def test_an_unknown_service_is_404_for_everyone(api: Api, people: dict[str, Any]) -> None:
    for role in ("provider", "peer", "admin"):
        reply = api.call("GET", f"{V1}/services/no-such-service", people["tokens"][role])
        assert reply.status == 404 and "no-such-service" in reply.body["error"]
        reply = api.call("POST", f"{V1}/services/no-such-service/confirm", people["tokens"][role],
                         if_match='"v1"')
        assert reply.status == 404


def test_beds_with_the_etag_flow(api: Api, people: dict[str, Any]) -> None:
    token, sid = people["tokens"]["provider"], people["ours"]
    first = read(api, people)
    path = f"{V1}/services/{sid}/beds"
    missing = api.call("PUT", path, token, {"available": 3, "maximum": 40})
    assert missing.status == 428 and "If-Match" in missing.body["error"]
    stale = api.call("PUT", path, token, {"available": 3, "maximum": 40},
                     if_match=f'"v{first.body["version"] - 1}"')
    assert stale.status == 412
    garbled = api.call("PUT", path, token, {"available": 3, "maximum": 40}, if_match="v-what")
    assert garbled.status == 412
    assert version_of(api.url, sid) == first.body["version"]
    done = api.call("PUT", path, token, {"available": 3, "maximum": 40}, if_match=first.etag)
    assert done.status == 200, done.body
    assert done.body["version"] == first.body["version"] + 1 and done.etag == f'"v{done.body["version"]}"'
    assert done.body["capacity"]["available"] == 3 and done.body["capacity"]["maximum"] == 40
    assert done.body["beds_fresh"] is True
    with session_scope(api.url) as s:
        listing = details(s, sid)
    assert listing.capacity is not None and (listing.capacity.available, listing.capacity.maximum) == (3, 40)
    assert "3" in listing.beds("en")
    # The first ETag is spent: a second write with it is refused and changes nothing.
    again = api.call("PUT", path, token, {"available": 9}, if_match=first.etag)
    assert again.status == 412
    assert read(api, people).body["capacity"]["available"] == 3
    # The maximum stays when left out.
    kept = api.call("PUT", path, token, {"available": 5}, if_match=done.etag)
    assert kept.status == 200 and kept.body["capacity"]["maximum"] == 40


def canonical(rules: list[dict[str, Any]]) -> list[str]:
    """Rules in a fixed order (the directory keeps no order between schedule rows)."""
    return sorted(json.dumps(r, sort_keys=True) for r in rules)


def test_hours_weekly_and_monthly(api: Api, people: dict[str, Any]) -> None:
    token, sid = people["tokens"]["provider"], people["ours"]
    rules = [{"days": ["MO", "TU"], "opens": "09:00", "closes": "17:00"},
             {"monthly": ["1SA", "-1FR"], "opens": "10:00", "closes": "14:00"},
             {"monthdays": [15], "opens": "18:00", "closes": "02:00"}]
    done = api.call("PUT", f"{V1}/services/{sid}/hours", token, {"rules": rules},
                    if_match=read(api, people).etag)
    assert done.status == 200, done.body
    assert canonical(done.body["hours"]) == canonical(rules)
    with session_scope(api.url) as s:
        listing = details(s, sid)
    weekly = [r for r in listing.hours.rules if not r.monthly]
    assert [(sorted(r.days), r.opens.isoformat(), r.closes.isoformat()) for r in weekly] == [
        ([0, 1], "09:00:00", "17:00:00")]
    monthly = [r for r in listing.hours.rules if r.monthly]
    assert {(r.weeks, r.monthdays) for r in monthly} == {(((1, 5), (-1, 4)), ()), ((), (15,))}
    assert canonical(read(api, people).body["hours"]) == canonical(rules)


def test_a_closure_and_reopening(api: Api, people: dict[str, Any]) -> None:
    token, sid = people["tokens"]["provider"], people["ours"]
    today = date.today()
    path = f"{V1}/services/{sid}/closures"
    closed = api.call("POST", path, token, {"reason": "flood", "reason_fr": "inondation",
                                            "to": (today + timedelta(days=3)).isoformat()},
                      if_match=read(api, people).etag)
    assert closed.status == 200, closed.body
    assert closed.body["closure"]["reason"] == "flood" and closed.body["open"] is False
    with session_scope(api.url) as s:
        listing = details(s, sid)
    assert listing.hours.closure is not None and listing.hours.closure.reason["fr"] == "inondation"
    assert not listing.state.open and "flood" in listing.state.text("en")
    reopened = api.call("DELETE", path, token, if_match=closed.etag)
    assert reopened.status == 200 and reopened.body["closure"] is None
    with session_scope(api.url) as s:
        assert details(s, sid).hours.closure is None
    later = api.call("POST", path, token, {"reason": "holidays", "from": "2026-12-24",
                                           "to": "2026-12-26"}, if_match=reopened.etag)
    assert later.status == 200
    assert later.body["closure"] == {"reason": "holidays", "reason_fr": "holidays",
                                     "from": "2026-12-24", "to": "2026-12-26"}


def test_confirm_says_still_correct(api: Api, people: dict[str, Any]) -> None:
    token, sid = people["tokens"]["provider"], people["ours"]
    first = read(api, people)
    done = api.call("POST", f"{V1}/services/{sid}/confirm", token, if_match=first.etag)
    assert done.status == 200 and done.body["version"] == first.body["version"] + 1
    assert done.body["freshness"] == "fresh"
    with session_scope(api.url) as s:
        assert s.get(Service, sid).last_verified_at.date() >= date.today() - timedelta(days=1)
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.service_id == sid)).all()
    assert "confirm" in actions


BAD = [
    ("beds", "PUT", {"available": -1}, ["available"]),
    ("beds", "PUT", {"available": "three"}, ["available"]),
    ("beds", "PUT", {"available": 50, "maximum": 40}, ["body"]),
    ("beds", "PUT", {"maximum": 40}, ["available"]),
    ("beds", "PUT", {"available": 1, "availble": 2}, ["availble"]),
    ("hours", "PUT", {"rules": []}, ["rules"]),
    ("hours", "PUT", {"rules": [{"days": ["XX"], "opens": "09:00", "closes": "17:00"}]},
     ["rules.0.days.0"]),
    ("hours", "PUT", {"rules": [{"days": ["MO"], "opens": "9 am", "closes": "17:00"}]},
     ["rules.0.opens"]),
    ("hours", "PUT", {"rules": [{"opens": "09:00", "closes": "17:00"}]}, ["rules.0"]),
    ("hours", "PUT", {"rules": [{"monthly": ["9WE"], "opens": "09:00", "closes": "17:00"}]},
     ["rules.0.monthly"]),
    ("closures", "POST", {"reason": ""}, ["reason"]),
    ("closures", "POST", {"reason": "flood", "to": "2026-02-30"}, ["to"]),
    ("closures", "POST", {"reason": "flood", "from": "2026-12-26", "to": "2026-12-24"}, ["body"]),
    ("closures", "POST", {"reason": "flood", "to": "2000-01-01"}, ["to"]),
]


@pytest.mark.parametrize("kind,method,body,fields", BAD)
def test_a_bad_value_is_422_naming_the_field(api: Api, people: dict[str, Any], kind: str,
                                             method: str, body: Any, fields: list[str]) -> None:
    first = read(api, people)
    reply = api.call(method, f"{V1}/services/{people['ours']}/{kind}", people["tokens"]["provider"],
                     body, if_match=first.etag)
    assert reply.status == 422, reply.body
    assert reply.body["fields"] == fields and fields[0].split(".")[0] in reply.body["error"]
    assert version_of(api.url, people["ours"]) == first.body["version"]


def test_malformed_json_and_unknown_paths_answer_json(api: Api, people: dict[str, Any]) -> None:
    token = people["tokens"]["provider"]
    broken = api.call("PUT", f"{V1}/services/{people['ours']}/beds", token, raw=b"{not json",
                      if_match='"v1"')
    assert broken.status == 422 and "error" in broken.body
    assert api.call("GET", f"{V1}/nothing", token).body == {"error": "Not Found"}
    wrong = api.call("PATCH", f"{V1}/services/{people['ours']}/beds", token, {"available": 1})
    assert wrong.status == 405 and set(wrong.body) == {"error"}
    assert api.call("GET", f"{V1}/health").body == {"status": "ok"}


def test_a_failure_inside_is_500_json_without_a_traceback(tmp_path: Path) -> None:
    broken = Api(f"sqlite:///{tmp_path / 'no-such-folder' / 'x.db'}")  # cannot be opened
    try:
        reply = broken.call("GET", f"{V1}/services", "some-token")
    finally:
        broken.stop()
    assert reply.status == 500 and set(reply.body) == {"error"}
    assert "Traceback" not in reply.body["error"] and "sqlite" not in reply.body["error"].lower()
