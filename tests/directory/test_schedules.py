"""Opening-state rules: overnight, several sittings, holidays, closures, DST, both languages."""

from datetime import date, datetime, time, timedelta, timezone

import pytest

from directory.schedules import (
    TZ,
    Closure,
    Hours,
    Rule,
    holiday_name,
    parse_days,
    spans,
    state_at,
    week_table,
)

EVERY_DAY = frozenset(range(7))
WEEKDAYS = frozenset(range(5))
SHELTER = Hours(rules=(Rule(EVERY_DAY, time(19), time(8)),))
MEALS = Hours(rules=tuple(Rule(WEEKDAYS, time(h), time(h + 1)) for h in (8, 12, 17)),
              holiday_policy="closed")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.mark.parametrize("moment, is_open", [
    ("2026-11-24T02:00", True), ("2026-11-24T07:59", True), ("2026-11-24T08:00", False),
    ("2026-11-24T12:00", False), ("2026-11-24T19:00", True), ("2026-11-24T23:59", True),
])
def test_overnight_shelter_is_open_after_midnight(moment: str, is_open: bool) -> None:
    assert state_at(SHELTER, at(moment)).open is is_open


def test_overnight_texts_in_both_languages() -> None:
    night = state_at(SHELTER, at("2026-11-24T02:00"))
    assert night.text("en", now=True) == "open now until 08:00"
    assert night.text("en", now=False) == "open until 08:00"
    assert night.text("fr") == "ouvert jusqu'à 8 h"
    evening = state_at(SHELTER, at("2026-11-24T20:00"))
    assert evening.text("en", now=True) == "open now until 08:00 tomorrow"
    assert evening.text("en", now=False) == "open until 08:00 the next morning"
    assert evening.text("fr", now=True) == "ouvert jusqu'à demain 8 h"
    day = state_at(SHELTER, at("2026-11-24T09:00"))
    assert (day.open, day.next_open) == (False, at("2026-11-24T19:00"))
    assert day.text("en") == "closed, opens 19:00" and day.text("fr") == "fermé, ouvre à 19 h"


def test_several_sittings_a_day() -> None:
    assert state_at(MEALS, at("2026-11-24T08:30")).until == at("2026-11-24T09:00")
    between = state_at(MEALS, at("2026-11-24T10:00"))
    assert not between.open and between.next_open == at("2026-11-24T12:00")
    assert state_at(MEALS, at("2026-11-24T12:59")).open
    evening = state_at(MEALS, at("2026-11-24T18:30"))
    assert evening.text("en") == "opens 08:00 tomorrow"
    assert evening.text("fr") == "ouvre demain à 8 h"


def test_weekday_only_service_says_which_day_it_reopens() -> None:
    friday_night = state_at(MEALS, at("2026-11-27T18:30"))
    assert friday_night.next_open == at("2026-11-30T08:00")
    assert friday_night.text("en") == "opens Monday 08:00"
    assert friday_night.text("fr") == "ouvre lundi à 8 h"


def test_closed_on_statutory_holiday_names_it() -> None:
    christmas = state_at(MEALS, at("2026-12-25T12:30"))
    assert not christmas.open
    assert christmas.text("en") == "closed today (holiday: Christmas Day), opens Monday 08:00"
    assert christmas.text("fr").startswith("fermé aujourd'hui (congé : ")
    assert christmas.next_open == at("2026-12-28T08:00")


def test_open_as_usual_policy_ignores_holidays() -> None:
    usual = Hours(rules=MEALS.rules, holiday_policy="open")
    assert state_at(usual, at("2026-12-25T12:30")).open


def test_special_holiday_hours_replace_regular_ones() -> None:
    special = Hours(rules=MEALS.rules, holiday_policy="special",
                    holiday_rules=(Rule(EVERY_DAY, time(11), time(14)),))
    assert state_at(special, at("2026-12-25T13:30")).open
    assert not state_at(special, at("2026-12-25T08:30")).open
    assert state_at(special, at("2026-12-24T08:30")).open


def test_provinces_have_their_own_holidays() -> None:
    assert holiday_name(date(2026, 6, 24), "QC") is not None
    assert holiday_name(date(2026, 6, 24), "ON") is None
    assert holiday_name(date(2026, 2, 16), "ON") == "Family Day"
    assert holiday_name(date(2026, 2, 16), "QC") is None
    gatineau = Hours(rules=MEALS.rules, holiday_policy="closed", province="QC")
    ottawa = Hours(rules=MEALS.rules, holiday_policy="closed", province="ON")
    st_jean = at("2026-06-24T12:30")
    assert not state_at(gatineau, st_jean).open and state_at(ottawa, st_jean).open
    assert "Fête nationale du Québec" in state_at(gatineau, st_jean).text("fr")


def test_temporary_closure_wins_and_says_when_it_reopens() -> None:
    flooded = Hours(rules=SHELTER.rules, closure=Closure(
        date(2026, 11, 20), date(2026, 12, 5), {"en": "flooding", "fr": "inondation"}))
    s = state_at(flooded, at("2026-11-23T21:00"))
    assert not s.open and s.next_open == at("2026-12-06T19:00")
    assert s.text("en") == "closed temporarily: flooding, opens Dec 6 19:00"
    assert s.text("fr") == "fermé temporairement : inondation, ouvre le 6 déc. à 19 h"
    assert state_at(flooded, at("2026-12-06T20:00")).open


def test_open_ended_closure_has_no_next_opening() -> None:
    shut = Hours(rules=SHELTER.rules, closure=Closure(date(2026, 11, 1), None, {"en": "renovation"}))
    s = state_at(shut, at("2026-11-23T21:00"))
    assert not s.open and s.next_open is None
    assert s.text("en") == "closed temporarily: renovation, no upcoming hours listed"


def test_valid_from_and_valid_to_bound_a_rule() -> None:
    winter = Hours(rules=(Rule(EVERY_DAY, time(9), time(17), date(2026, 12, 1), date(2027, 3, 31)),))
    assert not state_at(winter, at("2026-11-25T10:00")).open
    assert state_at(winter, at("2026-12-02T10:00")).open
    assert not state_at(winter, at("2027-04-01T10:00")).open


def test_round_the_clock_service() -> None:
    always = Hours(rules=(Rule(EVERY_DAY, time(0), time(0)),))
    s = state_at(always, at("2026-11-24T03:00"))
    assert s.open and s.always_open and s.text("en") == "open 24/7" and s.text("fr") == "ouvert 24 h sur 24"


@pytest.mark.parametrize("night, utc_hours", [
    (date(2026, 3, 7), 12),   # clocks spring forward on 2026-03-08: a 12-hour night
    (date(2026, 10, 31), 14),  # clocks fall back on 2026-11-01: a 14-hour night
])
def test_dst_keeps_wall_clock_times(night: date, utc_hours: int) -> None:
    [(start, end)] = [s for s in spans(SHELTER, night, night)]
    assert start.astimezone(TZ).time() == time(19) and end.astimezone(TZ).time() == time(8)
    assert end - start == timedelta(hours=utc_hours)


def test_dst_night_state_is_right_on_both_changes() -> None:
    spring = state_at(SHELTER, datetime(2026, 3, 8, 7, 30, tzinfo=TZ))
    assert spring.open and spring.until == datetime(2026, 3, 8, 12, 0, tzinfo=timezone.utc)
    fall = state_at(SHELTER, datetime(2026, 11, 1, 7, 30, tzinfo=TZ))
    assert fall.open and fall.until == datetime(2026, 11, 1, 13, 0, tzinfo=timezone.utc)
    # 02:30 does not exist on 2026-03-08; the shelter is still open whatever the clock says.
    assert state_at(SHELTER, datetime(2026, 3, 8, 2, 30, tzinfo=TZ)).open


def test_naive_times_are_read_as_local() -> None:
    assert state_at(SHELTER, datetime(2026, 11, 24, 2, 0)).open


def test_default_time_is_now_and_says_so() -> None:
    now = datetime.now(TZ)
    around_now = Hours(rules=(Rule(EVERY_DAY, (now - timedelta(hours=1)).time(),
                                   (now + timedelta(hours=2)).time()),))
    assert state_at(around_now).text("en").startswith("open now until")


def test_week_table_lists_every_sitting_in_both_languages() -> None:
    assert week_table(MEALS, "en")[0] == ("Monday", "08:00-09:00, 12:00-13:00, 17:00-18:00")
    assert week_table(MEALS, "fr")[6] == ("dimanche", "fermé")


def test_bad_weekday_code_is_refused() -> None:
    assert parse_days("MO,we") == frozenset({0, 2})
    with pytest.raises(ValueError):
        parse_days("MO,XX")


def test_week_table_says_24_hours_not_midnight_to_midnight() -> None:
    always = Hours(rules=(Rule(EVERY_DAY, time(0), time(0)),))
    assert week_table(always, "en")[0] == ("Monday", "24 hours")
    assert week_table(always, "fr")[6] == ("dimanche", "24 h sur 24")
