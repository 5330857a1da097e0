"""Monthly rules: "1st and 3rd Wednesday", "last Friday", "the 15th", across DST and month ends."""

from __future__ import annotations

from datetime import datetime, time, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from directory.access import Actor
from directory.db import session_scope
from directory.hsds import export_package, import_package
from directory.listing import details, hours
from directory.models import Schedule
from directory.provider import WeeklyHours, set_hours
from directory.schedules import (
    TZ,
    Hours,
    month_table,
    monthly_rule,
    parse_weeks,
    state_at,
    week_table,
)
from tests.directory.builders import add_service
from tests.directory.fixtures.hsds.packages import rows_of, small_package, uid, write_package

FIRST_THIRD_WED = Hours(rules=(monthly_rule("1WE,3WE", None, time(10), time(12)),))
LAST_FRIDAY = Hours(rules=(monthly_rule("-1FR", None, time(18), time(21)),))
FIFTEENTH = Hours(rules=(monthly_rule("", "15", time(9), time(17)),))
LAST_DAY = Hours(rules=(monthly_rule("", "-1", time(20), time(8)),))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.mark.parametrize("moment, is_open", [
    ("2026-03-04T11:00", True),    # 1st Wednesday of March 2026, before the clocks change
    ("2026-03-11T11:00", False),   # the 2nd: closed
    ("2026-03-18T11:00", True),    # the 3rd, after the change on the 8th: still 10:00-12:00
    ("2026-03-18T09:59", False),
    ("2026-03-18T12:00", False),
    ("2026-11-04T10:00", True),    # first Wednesday after the clocks fall back (Nov 1)
])
def test_first_and_third_wednesday(moment: str, is_open: bool) -> None:
    assert state_at(FIRST_THIRD_WED, at(moment)).open is is_open


def test_next_opening_skips_to_the_right_wednesday_across_dst() -> None:
    after_first = state_at(FIRST_THIRD_WED, at("2026-03-04T13:00"))
    assert after_first.next_open == at("2026-03-18T10:00")
    assert after_first.next_open.utcoffset().total_seconds() == -4 * 3600  # EDT by then
    assert after_first.text("en") == "opens Mar 18 10:00"
    assert after_first.text("fr") == "ouvre le 18 mars à 10 h"
    # After the 3rd Wednesday of October, the next is Nov 4, in EST: 15:00 UTC.
    late = state_at(FIRST_THIRD_WED, at("2026-10-21T13:00"))
    assert late.next_open.astimezone(timezone.utc) == datetime(2026, 11, 4, 15, tzinfo=timezone.utc)


def test_last_friday_of_the_month_and_month_ends() -> None:
    # January 2027 ends on a Sunday: its last Friday is the 29th; February's is the 26th.
    assert state_at(LAST_FRIDAY, at("2027-01-29T19:00")).open
    assert not state_at(LAST_FRIDAY, at("2027-01-22T19:00")).open
    assert state_at(LAST_FRIDAY, at("2027-01-29T22:00")).next_open == at("2027-02-26T18:00")
    # March 2026's last Friday (the 27th) is after the DST change: wall clock still 18:00.
    assert state_at(LAST_FRIDAY, at("2026-03-01T12:00")).next_open == at("2026-03-27T18:00")


def test_the_15th_and_the_last_day_of_the_month() -> None:
    assert state_at(FIFTEENTH, at("2026-11-15T10:00")).open  # a Sunday: the day, not the weekday
    assert state_at(FIFTEENTH, at("2026-11-16T10:00")).next_open == at("2026-12-15T09:00")
    # The last day of February (28th in 2027), overnight into March 1st.
    assert state_at(LAST_DAY, at("2027-03-01T07:00")).open
    assert state_at(LAST_DAY, at("2027-02-27T12:00")).next_open == at("2027-02-28T20:00")
    # The night of Oct 31, 2026 crosses the fall-back change: open until 08:00 wall clock.
    night = state_at(LAST_DAY, at("2026-10-31T23:00"))
    assert night.open and night.until == at("2026-11-01T08:00")


def test_week_and_month_tables_show_them_in_both_languages() -> None:
    both = Hours(rules=FIRST_THIRD_WED.rules + LAST_FRIDAY.rules + FIFTEENTH.rules)
    assert week_table(both, "en")[2] == ("Wednesday", "10:00-12:00 (1st and 3rd of the month)")
    assert week_table(both, "fr")[2] == ("mercredi", "10 h-12 h (1er et 3e du mois)")
    assert week_table(both, "en")[4] == ("Friday", "18:00-21:00 (last of the month)")
    assert week_table(both, "fr")[4] == ("vendredi", "18 h-21 h (dernier du mois)")
    assert week_table(both, "en")[0] == ("Monday", "closed")
    assert len(week_table(both, "en")) == 7
    assert month_table(both, "en") == [("Each month", "the 15th: 09:00-17:00")]
    assert month_table(both, "fr") == [("Chaque mois", "le 15 : 9 h-17 h")]
    assert month_table(Hours(rules=(monthly_rule("", "1,-1", time(9), time(10)),)), "en") \
        == [("Each month", "the 1st and last day: 09:00-10:00")]


def test_bad_monthly_rules_are_refused() -> None:
    assert parse_weeks("1we,-1FR,MO") == ((1, 2), (-1, 4), (0, 0))
    for byday, monthday in (("6WE", None), ("1XX", None), ("", "32"), ("", "0"), ("", None)):
        with pytest.raises(ValueError):
            monthly_rule(byday, monthday, time(9), time(10))


def test_monthly_rules_import_evaluate_and_export(db_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    rows = rows_of(folder, "schedules.csv")
    rows[0].update(freq="MONTHLY", byday="1WE,3WE", opens_at="10:00", closes_at="12:00")
    rows[1].update(freq="MONTHLY", byday="", bymonthday="15", opens_at="09:00",
                   closes_at="17:00")
    write_package(folder, {"schedule": rows})
    with session_scope(db_url) as session:
        import_package(session, folder)
    with session_scope(db_url) as session:
        breakfast = uid("svc:breakfast")
        assert details(session, breakfast, datetime(2026, 12, 2, 11, 0)).state.open
        assert not details(session, breakfast, datetime(2026, 12, 9, 11, 0)).state.open
        week = hours(session, breakfast, datetime(2026, 12, 9, 11, 0), "fr")
        assert week.week[2] == ("mercredi", "10 h-12 h (1er et 3e du mois)")
        assert week.listing.state.text("fr") == "ouvre le 16 déc. à 10 h"
        assert details(session, uid("svc:showers"), datetime(2026, 12, 15, 16, 0)).state.open
        export_package(session, tmp_path / "out")
    exported = {r["service_id"]: (r["freq"], r["byday"], r["bymonthday"])
                for r in rows_of(tmp_path / "out", "schedules.csv")}
    assert exported[uid("svc:breakfast")] == ("MONTHLY", "1WE,3WE", "")
    assert exported[uid("svc:showers")] == ("MONTHLY", "", "15")


@pytest.mark.parametrize("change, row, field", [
    ({"freq": "MONTHLY", "byday": "", "bymonthday": ""}, 2, "byday"),
    ({"freq": "MONTHLY", "byday": "7MO"}, 2, "byday"),
    ({"freq": "MONTHLY", "byday": "", "bymonthday": "40"}, 2, "bymonthday"),
    ({"freq": "WEEKLY", "bymonthday": "15"}, 2, "bymonthday"),
    ({"freq": "WEEKLY", "byday": "1WE"}, 2, "byday"),
])
def test_monthly_rules_waypoint_cannot_read_are_named(db_url: str, tmp_path: Path,
                                                      change: dict[str, str], row: int,
                                                      field: str) -> None:
    folder = small_package(tmp_path / "p")
    rows = rows_of(folder, "schedules.csv")
    rows[row - 2].update(change)
    write_package(folder, {"schedule": rows})
    with session_scope(db_url) as session:
        report = import_package(session, folder, skip_invalid_rows=True)
    assert {(e.file, e.row, e.field) for e in report.skipped} == {("schedules.csv", row, field)}


def test_providers_set_monthly_hours(db_url: str) -> None:
    with session_scope(db_url) as session:
        sid = add_service(session, "meals", hours=[("MO,TU,WE,TH,FR", "09:00", "12:00")])
    with session_scope(db_url) as session:
        set_hours(session, sid, [WeeklyHours(frozenset(), time(18), time(21), monthly="-1FR"),
                                 WeeklyHours(frozenset(), time(9), time(10), monthdays="15")],
                  Actor.operator("desk"))
    with session_scope(db_url) as session:
        rows = session.execute(select(Schedule.freq, Schedule.byday, Schedule.bymonthday)
                               .where(Schedule.service_id == sid)).all()
        assert sorted(map(tuple, rows)) == [("MONTHLY", "", "15"), ("MONTHLY", "-1FR", None)]
        assert details(session, sid, datetime(2026, 11, 27, 19, 0)).state.open
        assert not details(session, sid, datetime(2026, 11, 20, 19, 0)).state.open


@pytest.mark.slow
def test_set_hours_on_the_command_line_takes_monthly_rules(sqlite_url: str) -> None:
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    with session_scope(sqlite_url) as session:
        sid = add_service(session, "meals")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "directory", "--db", sqlite_url, *args],
                              cwd=root, capture_output=True, text=True, timeout=120)

    ok = cli("set-hours", sid, "--monthly", "1WE,3WE", "--opens", "10:00", "--closes", "12:00",
             "--by", "desk")
    assert ok.returncode == 0, ok.stderr
    week = json.loads(cli("--lang", "fr", "hours", sid, "--json", "--at",
                          "2026-12-09T11:00").stdout)
    assert week["week"][2] == {"day": "mercredi", "hours": "10 h-12 h (1er et 3e du mois)"}
    assert cli("set-hours", sid, "--monthday", "15", "--opens", "09:00", "--closes", "10:00",
               "--by", "desk").returncode == 0
    week = json.loads(cli("hours", sid, "--json").stdout)
    assert week["monthly"] == [{"day": "Each month", "hours": "the 15th: 09:00-10:00"}]
    bad = cli("set-hours", sid, "--monthly", "9WE", "--opens", "10:00", "--closes", "12:00",
              "--by", "desk")
    assert bad.returncode != 0 and "at most five" in bad.stderr
