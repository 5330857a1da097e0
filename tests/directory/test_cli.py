"""The documented CLI, run as a real process: JSON shapes, languages, errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from directory.db import session_scope
from directory.search import search

pytestmark = pytest.mark.slow  # every test runs the CLI as a process of its own

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, db: str | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "directory"] + (["--db", db] if db else []) + list(args)
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_search_json_has_the_documented_fields(demo_url: str) -> None:
    run = cli("search", "--category", "shelter", "--near", "ByWard Market",
              "--at", "2026-11-24T02:00", "--limit", "3", "--json", db=demo_url)
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    assert len(rows) == 3
    for row in rows:
        assert {"id", "name", "categories", "distance_km", "open", "opening_state", "next_open",
                "address", "phone", "last_verified_at"} <= row.keys()
        assert "shelter" in row["categories"]
    assert rows[0]["open"] is True


def test_search_in_french(demo_url: str) -> None:
    run = cli("--lang", "fr", "search", "--category", "meals", "--near", "cote de sable",
              "--at", "2026-11-24T12:00", "--json", db=demo_url)
    rows = json.loads(run.stdout)
    assert rows and all(r["opening_state"].split()[0] in ("ouvert", "fermé", "fermé,", "ouvre")
                        for r in rows)


def test_search_by_coordinates_and_open_now(demo_url: str) -> None:
    run = cli("search", "--category", "shelter", "--lat", "45.4289", "--lon", "-75.692",
              "--at", "2026-11-24T02:00", "--open-now", "--json", db=demo_url)
    rows = json.loads(run.stdout)
    assert rows and all(r["open"] for r in rows)


def test_table_output_for_people(demo_url: str) -> None:
    run = cli("search", "--category", "meals", "--near", "Vanier", db=demo_url)
    assert run.returncode == 0 and "Verified" in run.stdout


def test_show_and_hours(demo_url: str) -> None:
    with session_scope(demo_url) as s:
        sid = search(s, "meals", "Lowertown").results[0].id
    show = json.loads(cli("show", sid, "--json", db=demo_url).stdout)
    assert show["id"] == sid and show["last_verified_at"]
    week = json.loads(cli("--lang", "fr", "hours", sid, "--json", db=demo_url).stdout)
    assert week["week"][0]["day"] == "lundi" and "holiday_policy" in week


def test_places_resolve() -> None:
    run = cli("places", "resolve", "Rideau & Dalhousie", "--json")
    place = json.loads(run.stdout)
    assert {"name", "lat", "lon"} <= place.keys()
    unknown = cli("places", "resolve", "Atlantis")
    assert unknown.returncode == 1 and "don't know that place" in unknown.stderr
    assert "Traceback" not in unknown.stderr


@pytest.mark.parametrize("args, message", [
    (["search", "--category", "spaceships"], "unknown category"),
    (["search", "--category", "meals", "--near", "Atlantis"], "don't know that place"),
    (["search", "--category", "meals", "--at", "tomorrowish"], "ISO-8601"),
    (["search", "--category", "meals", "--lat", "45"], "both --lat and --lon"),
    (["search", "--category", "meals", "--lat", "95", "--lon", "0"], "out of range"),
    (["show", "no-such-service"], "no service"),
    (["set-beds", "no-such-service", "--available", "3", "--by", "x"], "no service"),
])
def test_user_mistakes_are_one_clear_line(demo_url: str, args: list[str], message: str) -> None:
    run = cli(*args, db=demo_url)
    assert run.returncode != 0
    assert message in run.stderr and "Traceback" not in run.stderr


def test_unreachable_database_is_a_clear_error() -> None:
    run = cli("stats", db="postgresql://nobody@127.0.0.1:1/none")
    assert run.returncode == 2 and "database problem" in run.stderr and "Traceback" not in run.stderr


def test_provider_updates_are_audited_and_guarded(db_url: str) -> None:
    assert cli("load-demo", db=db_url).returncode == 0
    with session_scope(db_url) as s:
        sid = search(s, "shelter", "Vanier").results[0].id
    ok = cli("set-beds", sid, "--available", "4", "--maximum", "50", "--by", "night desk",
             "--expect-version", "1", db=db_url)
    assert ok.returncode == 0, ok.stderr
    stale = cli("set-beds", sid, "--available", "9", "--by", "day desk", "--expect-version", "1", db=db_url)
    assert stale.returncode == 1 and "changed by someone else" in stale.stderr
    closed = cli("close-temporarily", sid, "--reason", "no heat", "--reason-fr", "pas de chauffage",
                 "--by", "manager", db=db_url)
    assert closed.returncode == 0 and "closed temporarily: no heat" in closed.stdout
    fr = cli("--lang", "fr", "reopen", sid, "--by", "manager", db=db_url)
    assert fr.returncode == 0
    hours = cli("set-hours", sid, "--days", "MO,TU", "--opens", "20:00", "--closes", "07:00",
                "--by", "manager", db=db_url)
    assert hours.returncode == 0, hours.stderr
    bad = cli("set-hours", sid, "--days", "XX", "--opens", "20:00", "--closes", "07:00", "--by", "m",
              db=db_url)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr


def test_generate_and_stats(sqlite_url: str) -> None:
    assert cli("generate", "--services", "500", "--seed", "3", db=sqlite_url).returncode == 0
    stats = cli("stats", db=sqlite_url)
    assert "500 services" in stats.stdout


def test_validate_shipped_data() -> None:
    run = cli("validate")
    assert run.returncode == 0, run.stderr
    assert "21 categories OK" in run.stdout and "services OK" in run.stdout
