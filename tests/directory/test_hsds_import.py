"""HSDS 3.0 import: all or nothing, every problem named by file, row and field, upserts by id."""

from __future__ import annotations

import json
from datetime import datetime, time
from pathlib import Path
from typing import Callable

import pytest
from sqlalchemy import select

from directory.db import session_scope
from directory.hsds import HsdsImportError, RowError, import_package
from directory.hsds.mapping import SHIPPED, load_mapping
from directory.hsds.schema import all_specs
from directory.listing import details
from directory.models import (
    Language,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceCategory,
    TaxonomyTerm,
)
from directory.taxonomy import CODES
from tests.directory.fixtures.hsds.packages import (
    OFFICIAL_EXAMPLE,
    airs_package,
    copy_package,
    dump,
    rewrite,
    rows_of,
    set_cell,
    small_package,
    uid,
)


def where(errors: list[RowError]) -> set[tuple[str, int | None, str | None]]:
    return {(e.file, e.row, e.field) for e in errors}


def rejected(url: str, folder: Path, mapping: Path | None = None) -> list[RowError]:
    """Import a bad package in a transaction that then commits: nothing may have been written."""
    before = dump(url)
    with session_scope(url) as session:
        with pytest.raises(HsdsImportError) as info:
            import_package(session, folder, mapping)
        assert not (session.new or session.dirty or session.deleted)
    assert dump(url) == before
    return info.value.errors


def test_official_example_is_rejected_for_exactly_what_waypoint_cannot_take(db_url: str) -> None:
    errors = rejected(db_url, OFFICIAL_EXAMPLE)
    assert where(errors) == {
        ("locations.csv", 2, "latitude"),         # 100 is not a latitude
        ("locations.csv", 2, "organization_id"),  # 985e4a42-... is not in organizations.csv
        ("schedules.csv", 2, "byweekno"),         # recurrences Waypoint cannot evaluate
        ("schedules.csv", 2, "bymonthday"),
        ("schedules.csv", 2, "byyearday"),
        ("schedules.csv", 2, "count"),
    }
    message = str(HsdsImportError(errors))
    assert "locations.csv:2: latitude: 100 is out of range (-90 to 90)" in message


def test_official_example_imports_once_those_cells_are_fixed(db_url: str, tmp_path: Path) -> None:
    folder = copy_package(OFFICIAL_EXAMPLE, tmp_path / "example")
    set_cell(folder, "locations.csv", 2, "latitude", "45.4289")
    set_cell(folder, "locations.csv", 2, "organization_id", "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610")
    for column in ("byweekno", "bymonthday", "byyearday", "count"):
        set_cell(folder, "schedules.csv", 2, column, "")
    with session_scope(db_url) as session:
        report = import_package(session, folder)
    assert {name: (c.read, c.upserted) for name, c in report.counts.items()} == {
        "organization": (1, 1), "service": (1, 1), "attribute": (1, 0),
        "service_at_location": (1, 1), "location": (1, 1), "phone": (1, 1), "address": (1, 1),
        "schedule": (1, 1), "language": (1, 1), "accessibility": (1, 1), "taxonomy_term": (1, 1)}
    assert report.unmapped_services == [("ac148810-d857-441c-9679-408f346de14b",
                                         "Community Counselling")]
    assert sorted(report.ignored_resources) == [
        "contact", "cost_option", "funding", "meta_table_description", "metadata",
        "organization_identifier", "program", "required_document", "service_area", "taxonomy"]
    assert any("timezone column is ignored" in w for w in report.warnings)
    assert any(w.startswith("organizations.csv: columns not stored") and "tax_id" in w
               for w in report.warnings)
    with session_scope(db_url) as session:
        service = session.get(Service, "ac148810-d857-441c-9679-408f346de14b")
        assert service.last_modified == datetime(2023, 3, 15, 6, 30, 45, 123000)  # UTC -> Toronto
        location = session.get(Location, "3a19ff88-4620-4d17-9830-ac1d859eb5d5")
        assert location.accessibility.startswith("The building is equipped with induction loops")
        assert location.accessibility.endswith("Switch hearing aid to T-coil to access the "
                                               "induction loop facility.")
        [rule] = session.scalars(select(Schedule)).all()
        assert (rule.kind, rule.byday, rule.opens_at, rule.closes_at) == (
            "regular", "TH,FR", time(10), time(18))
        assert [lang.code for lang in session.scalars(select(Language))] == ["ur"]


def _drop_column(folder: Path) -> None:
    rows = rows_of(folder, "services.csv")
    rewrite(folder, "services.csv", rows, [c for c in rows[0] if c != "name"])


def _latin1(folder: Path) -> None:
    rows = rows_of(folder, "organizations.csv")
    rows[1]["name"] = "Coopérative santé Basse-Ville"
    rewrite(folder, "organizations.csv", rows, encoding="latin-1")


def _several(folder: Path) -> None:
    set_cell(folder, "schedules.csv", 3, "closes_at", "25:99")
    set_cell(folder, "locations.csv", 3, "longitude", "-190")
    set_cell(folder, "phones.csv", 2, "service_id", uid("nowhere"))


BAD_PACKAGES: list[tuple[str, Callable[[Path], None], set[tuple[str, int | None, str | None]]]] = [
    ("missing required column", _drop_column, {("services.csv", 1, "name")}),
    ("bad time", lambda f: set_cell(f, "schedules.csv", 2, "opens_at", "25:99"),
     {("schedules.csv", 2, "opens_at")}),
    ("dangling id", lambda f: set_cell(f, "service_at_location.csv", 3, "location_id",
                                       uid("nowhere")),
     {("service_at_location.csv", 3, "location_id")}),
    ("not UTF-8", _latin1, {("organizations.csv", None, None)}),
    ("latitude out of range", lambda f: set_cell(f, "locations.csv", 2, "latitude", "91.5"),
     {("locations.csv", 2, "latitude")}),
    ("yearly rule", lambda f: set_cell(f, "schedules.csv", 4, "freq", "YEARLY"),
     {("schedules.csv", 4, "freq")}),
    ("unknown weekday", lambda f: set_cell(f, "schedules.csv", 2, "byday", "MO,XX"),
     {("schedules.csv", 2, "byday")}),
    ("not a uuid", lambda f: set_cell(f, "languages.csv", 3, "id", "lang-2"),
     {("languages.csv", 3, "id")}),
    ("required value", lambda f: set_cell(f, "addresses.csv", 2, "city", ""),
     {("addresses.csv", 2, "city")}),
    ("translation of nothing", lambda f: set_cell(f, "waypoint_translations.csv", 3,
                                                  "entity_id", uid("nowhere")),
     {("waypoint_translations.csv", 3, "entity_id")}),
    ("all problems at once", _several,
     {("schedules.csv", 3, "closes_at"), ("locations.csv", 3, "longitude"),
      ("phones.csv", 2, "service_id")}),
]


@pytest.mark.parametrize("mutate, expected", [case[1:] for case in BAD_PACKAGES],
                         ids=[case[0] for case in BAD_PACKAGES])
def test_bad_package_is_rejected_whole_and_named_precisely(
        db_url: str, tmp_path: Path, mutate: Callable[[Path], None],
        expected: set[tuple[str, int | None, str | None]]) -> None:
    with session_scope(db_url) as session:
        import_package(session, small_package(tmp_path / "good"))
    bad = small_package(tmp_path / "bad")
    mutate(bad)
    assert where(rejected(db_url, bad)) == expected


def test_the_non_utf8_file_is_named_with_its_line(db_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    _latin1(folder)
    [error] = rejected(db_url, folder)
    assert "not UTF-8: byte 0xE9 on line 3" in error.message


def test_unknown_category_in_a_mapping_file_is_named_with_its_line(db_url: str,
                                                                   tmp_path: Path) -> None:
    mapping = tmp_path / "my_211.yaml"
    mapping.write_text("taxonomy: AIRS/211\nmap:\n  BH-1800: shelter\n  BD-5000: soup\n",
                       encoding="utf-8")
    errors = rejected(db_url, small_package(tmp_path / "p"), mapping)
    assert [(e.file, e.row, e.field) for e in errors] == [("my_211.yaml", 4, "BD-5000")]
    assert "unknown category 'soup'" in errors[0].message


def _declare(folder: Path, moved: dict[str, str]) -> None:
    """A datapackage.json for the files present, with some tables moved elsewhere."""
    resources = [{"name": spec.name, "path": moved.get(spec.name, spec.path)}
                 for spec in all_specs().values()
                 if (folder / spec.path).exists() or spec.name in moved]
    (folder / "datapackage.json").write_text(json.dumps({"resources": resources}),
                                             encoding="utf-8")


def test_datapackage_json_says_which_file_holds_which_table(db_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    (folder / "tables").mkdir()
    (folder / "services.csv").rename(folder / "tables" / "svc.csv")
    (folder / "notes.csv").write_text("id,text\n1,call back Tuesday\n", encoding="utf-8")
    _declare(folder, {"service": "tables/svc.csv"})
    with session_scope(db_url) as session:
        report = import_package(session, folder)
    assert report.counts["service"].upserted == 3
    assert report.ignored_resources == ["notes.csv"]


def test_datapackage_json_cannot_point_outside_the_package(db_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    _declare(folder, {"service": "../services.csv"})
    index = next(n for n, r in enumerate(json.loads(
        (folder / "datapackage.json").read_text(encoding="utf-8"))["resources"])
        if r["name"] == "service")
    expected = {("datapackage.json", None, f"resources[{index}].path")}
    assert where(rejected(db_url, folder)) == expected


def test_error_listing_is_capped() -> None:
    errors = [RowError("services.csv", n, "name", "is required") for n in range(2, 62)]
    text = str(HsdsImportError(errors))
    assert "services.csv:2: name: is required" in text
    assert "services.csv:51: name: is required" in text
    assert "services.csv:52:" not in text and "and 10 more" in text


def test_small_package_lands_in_both_languages(db_url: str, tmp_path: Path) -> None:
    with session_scope(db_url) as session:
        report = import_package(session, small_package(tmp_path / "p"))
        assert report.unmapped_services == [] and report.ignored_resources == []
    with session_scope(db_url) as session:
        breakfast = details(session, uid("svc:breakfast"), datetime(2026, 11, 24, 8, 0))
        assert breakfast.title("en") == "Community Breakfast"
        assert breakfast.title("fr") == "Déjeuner communautaire"
        assert breakfast.categories == ["meals"] and breakfast.state.open
        kitchen = session.get(Organization, uid("org:kitchen"))
        assert kitchen.name_fr == "Cuisine communautaire Rideau"
        clinic = session.get(Location, uid("loc:clinic"))
        assert (clinic.accessibility, clinic.accessibility_fr) == ("Step-free entrance.",
                                                                   "Entrée sans marche.")
        nurse = session.scalars(select(Schedule).where(Schedule.id == uid("hours:nurse"))).one()
        assert (nurse.valid_from.isoformat(), nurse.valid_to.isoformat()) == ("2026-01-01",
                                                                              "2027-06-30")
        assert session.get(Service, uid("svc:nurse")).last_modified == datetime(2026, 11, 2, 9, 30)
        terms = session.scalars(select(TaxonomyTerm.code).order_by(TaxonomyTerm.code)).all()
        assert terms == ["meals", "primary_care", "shower"]


def test_importing_the_same_package_twice_changes_nothing(db_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    with session_scope(db_url) as session:
        first = import_package(session, folder)
    once = dump(db_url)
    with session_scope(db_url) as session:
        second = import_package(session, folder)
    assert dump(db_url) == once
    assert second.counts == first.counts


def test_reimport_replaces_the_services_categories_hours_and_languages(db_url: str,
                                                                      tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    with session_scope(db_url) as session:
        import_package(session, folder)
    set_cell(folder, "attributes.csv", 2, "taxonomy_term_id", uid("term:shower"))
    rewrite(folder, "schedules.csv", [r for r in rows_of(folder, "schedules.csv")
                                      if r["id"] != uid("hours:showers")])
    rewrite(folder, "languages.csv", rows_of(folder, "languages.csv")[:1])
    with session_scope(db_url) as session:
        import_package(session, folder)
    with session_scope(db_url) as session:
        codes = session.scalars(select(ServiceCategory.code)
                                .where(ServiceCategory.service_id == uid("svc:breakfast"))).all()
        assert codes == ["shower"]
        assert session.scalars(select(Schedule).where(
            Schedule.service_id == uid("svc:showers"))).all() == []
        assert session.scalars(select(Language.code)).all() == ["en"]


def test_mapping_file_maps_airs_codes_and_names_and_lists_what_it_cannot(db_url: str,
                                                                         tmp_path: Path) -> None:
    folder = airs_package(tmp_path / "airs")
    with session_scope(db_url) as session:
        report = import_package(session, folder)
    assert len(report.unmapped_services) == 4
    with session_scope(db_url) as session:
        report = import_package(session, folder, SHIPPED / "airs_211.yaml")
    assert report.unmapped_services == [(uid("svc:tax"), "Tax Clinic")]
    with session_scope(db_url) as session:
        rows = session.execute(select(ServiceCategory.service_id, ServiceCategory.code,
                                      ServiceCategory.taxonomy_term_id)).all()
        assert sorted(rows) == sorted([
            (uid("svc:shelter"), "shelter", uid("term:shelter")),
            (uid("svc:soup"), "meals", uid("term:soup")),
            (uid("svc:syringes"), "harm_reduction", uid("term:syringes"))])
        assert len(session.scalars(select(TaxonomyTerm)).all()) == 4


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_mappings_are_valid(path: Path) -> None:
    mapping, errors = load_mapping(path)
    assert errors == [] and mapping is not None
    assert set(mapping.by_code.values()) | set(mapping.by_name.values()) <= set(CODES)


def test_airs_codes_match_their_most_specific_mapped_ancestor() -> None:
    mapping, _ = load_mapping(SHIPPED / "airs_211.yaml")
    assert mapping is not None
    assert mapping.code_for("BH-1800.8500-185", None) == "shelter"
    assert mapping.code_for("BH-1800.3500", "Homeless Drop In Centers") == "drop_in"
    assert mapping.code_for("bh-1800.3500-150", None) == "drop_in"
    assert mapping.code_for("BH-18", None) is None
    assert mapping.code_for("ZZ-0000", "Shower facilities") == "shower"
