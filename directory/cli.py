"""``python -m directory``: the scriptable interface for peer workers, providers and scripts.

Output is a Rich table for people or JSON (``--json``) for scripts, in
English or French (``--lang fr``). Mistakes print one line to stderr and exit
non-zero, never a traceback.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Callable, Optional

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

import settings
from directory import accounts, freshness, provider
from directory.access import Actor, Change, Role, authorise
from directory.db import session_scope, upgrade
from directory.errors import DirectoryError
from directory.geo import Point
from directory.i18n import clock
from directory.listing import Listing, details
from directory.listing import hours as week_hours
from directory.models import Location, Organization, SearchEntry, Service, ServiceCategory
from directory.places import resolve
from directory.schedules import month_table, monthly_rule, parse_days
from directory.search import Filters
from directory.search import search as run_search
from directory.taxonomy import CODES, get_taxonomy
from words import say, sequence

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Waypoint resource directory: search, show, import, export, update.")
places_app = typer.Typer(no_args_is_help=True, help="Look up places in the demo region.")
app.add_typer(places_app, name="places")
# Wide enough for ids when piped; a terminal's own width otherwise.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)


class State:
    db: str = ""
    lang: str = "en"


state = State()


@app.callback()
def main(db: Optional[str] = typer.Option(None, help="Database URL [env WAYPOINT_DATABASE_URL, "
                                          "default sqlite:///waypoint.db]"),
         lang: str = typer.Option("en", help="Output language: en or fr")) -> None:
    """Waypoint resource directory."""
    if lang not in ("en", "fr"):
        raise typer.BadParameter("use en or fr", param_hint="--lang")
    try:
        state.db = db or settings.load().database_url
    except settings.SettingsError as exc:
        raise typer.BadParameter(str(exc), param_hint="--db") from None
    state.lang = lang


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def _run(work: Callable[[], Any]) -> Any:
    """Run a command body: user mistakes and database trouble become one clear line."""
    try:
        upgrade(state.db)
        return work()
    except DirectoryError as exc:
        _fail(str(exc))
    except SQLAlchemyError as exc:
        _fail(f"database problem at {state.db}: {exc.__class__.__name__}: "
              f"{str(exc).splitlines()[0]}", code=2)


def _parse_at(at: Optional[str]) -> Optional[datetime]:
    if at is None:
        return None
    try:
        return datetime.fromisoformat(at)
    except ValueError:
        raise typer.BadParameter(f"{at!r} is not an ISO-8601 time such as 2026-12-24T21:30",
                                 param_hint="--at") from None


def _listing_table(results: list[Listing], title: str) -> Table:
    lang = state.lang
    table = Table(title=title, show_lines=False)
    for col in sequence("cli_columns", lang):
        table.add_column(col, overflow="fold")
    for li in results:
        dist = f"{li.distance_km:.1f}" if li.distance_km is not None else (
            say("area", lang, area=li.area) if li.area else "")
        table.add_row(li.title(lang), li.state.text(lang), dist, li.where(lang), li.phone or "",
                      li.last_verified_at.date().isoformat() if li.last_verified_at else "?",
                      li.id)
    return table


@app.command()
def search(category: str = typer.Option(..., help=f"One of: {', '.join(CODES)}"),
           near: Optional[str] = typer.Option(None, help="Place name, intersection or postal prefix"),
           lat: Optional[float] = typer.Option(None), lon: Optional[float] = typer.Option(None),
           at: Optional[str] = typer.Option(None, help="Local time, ISO-8601 (default now)"),
           open_now: bool = typer.Option(False, "--open-now", help="Only open at --at"),
           population: Optional[str] = typer.Option(None, help="women, men, youth, families, …"),
           walk_in: bool = typer.Option(False, "--walk-in"), no_id: bool = typer.Option(False, "--no-id"),
           free: bool = typer.Option(False, "--free"), pets: bool = typer.Option(False, "--pets"),
           language: Optional[str] = typer.Option(None, help="Served in this language (en, fr, …)"),
           limit: int = typer.Option(3, min=1, max=100), offset: int = typer.Option(0, min=0),
           as_json: bool = typer.Option(False, "--json", help="Print a JSON array")) -> None:
    """Services of a category near a place, open ones first."""
    if category not in CODES:
        _fail(f"unknown category {category!r}; use one of: {', '.join(CODES)}")
    if (lat is None) != (lon is None):
        _fail("give both --lat and --lon")
    if near is not None and lat is not None:
        _fail("give --near or --lat/--lon, not both")
    when = _parse_at(at)
    filters = Filters(population=population, walk_in=walk_in, no_id=no_id, free=free, pets=pets,
                      language=language, open_now=open_now)

    def work() -> None:
        where: Point | str | None = near
        if lat is not None and lon is not None:
            try:
                where = Point(lat, lon)
            except ValueError as exc:
                _fail(str(exc))
        with session_scope(state.db) as session:
            response = run_search(session, category, where, when, filters, limit=limit, offset=offset)
        if as_json:
            print(json.dumps([li.to_json(state.lang) for li in response.results], ensure_ascii=False,
                             indent=2))
            return
        label = get_taxonomy().label(category, state.lang)
        if not response.results:
            out.print(say("cli_no_results", state.lang, category=label))
        else:
            out.print(_listing_table(response.results, f"{label} — {near or ''}".strip(" —")))
        if response.opens_next is not None:
            out.print(say("cli_next_opening", state.lang, name=response.opens_next.title(state.lang),
                        state=response.opens_next.state.text(state.lang)))

    _run(work)


@app.command()
def show(service_id: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Everything known about one service."""
    def work() -> None:
        with session_scope(state.db) as session:
            li = details(session, service_id)
        if as_json:
            print(json.dumps(li.to_json(state.lang), ensure_ascii=False, indent=2))
            return
        lang = state.lang
        table = Table(title=li.title(lang), show_header=False)
        table.add_column("")
        table.add_column("", overflow="fold")
        rows = [
            ("", li.description[lang]),
            ("categories", ", ".join(get_taxonomy().label(c, lang) for c in li.categories)),
            ("status", li.state.text(lang)),
            ("address", li.where(lang)), ("phone", li.phone or ""),
            ("populations", ", ".join(li.populations)), ("walk-in", str(li.walk_in)),
            ("ID / health card", f"{li.id_required} / {li.health_card_required}"),
            ("cost", li.cost), ("pets", str(li.pets)), ("languages", ", ".join(li.languages)),
            ("accessibility", li.accessibility[lang]),
            ("verified", li.verified(lang) or "?"),
        ]
        if li.capacity is not None and li.capacity.updated_at is not None:
            rows.append(("beds", say("cli_beds", lang, available=li.capacity.available,
                                   maximum=li.capacity.maximum, unit=li.capacity.unit or "",
                                   time=clock(li.capacity.updated_at.time(), lang))))
        for key, value in rows:
            table.add_row(key, value)
        out.print(table)

    _run(work)


@app.command()
def hours(service_id: str, at: Optional[str] = typer.Option(None),
          as_json: bool = typer.Option(False, "--json")) -> None:
    """A service's weekly hours, holiday policy and whether it is open."""
    when = _parse_at(at)

    def work() -> None:
        with session_scope(state.db) as session:
            wh = week_hours(session, service_id, when, state.lang)
        li = wh.listing
        if as_json:
            print(json.dumps({"id": li.id, "name": li.title(state.lang), "open": li.state.open,
                              "opening_state": li.state.text(state.lang),
                              "next_open": li.state.next_open.isoformat() if li.state.next_open else None,
                              "week": [{"day": d, "hours": h} for d, h in wh.week],
                              "monthly": [{"day": d, "hours": h}
                                          for d, h in month_table(li.hours, state.lang)],
                              "holiday_policy": wh.holiday_policy,
                              "holiday_hours": [[o.isoformat("minutes"), c.isoformat("minutes")]
                                                for o, c in wh.holiday_hours],
                              "last_verified_at": li.last_verified_at.isoformat()
                              if li.last_verified_at else None},
                             ensure_ascii=False, indent=2))
            return
        table = Table(title=f"{li.title(state.lang)} — {li.state.text(state.lang)}")
        table.add_column("")
        table.add_column("")
        for day, text in [*wh.week, *month_table(li.hours, state.lang)]:
            table.add_row(day, text)
        table.caption = f"holidays: {wh.holiday_policy} · {li.verified(state.lang)}"
        out.print(table)

    _run(work)


@places_app.command("resolve")
def places_resolve(text: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Resolve free text ("near the market", "a vanier", "Rideau & Dalhousie") to a place."""
    try:
        place = resolve(text)
    except DirectoryError as exc:
        _fail(str(exc))
    name = place.display(state.lang)
    if as_json:
        print(json.dumps({"name": name, "lat": place.point.lat, "lon": place.point.lon,
                          "id": place.id, "kind": place.kind}, ensure_ascii=False))
    else:
        out.print(f"{name} ({place.kind}) {place.point.lat:.5f}, {place.point.lon:.5f}")


def _progress_callback(progress: Progress) -> Callable[[str, int, int], None]:
    tasks: dict[str, Any] = {}

    def report(name: str, done: int, total: int) -> None:
        if name not in tasks:
            tasks[name] = progress.add_task(name, total=total)
        progress.update(tasks[name], completed=done, total=total)

    return report


@app.command("import")
def import_cmd(path: Path = typer.Argument(..., help="HSDS 3.0 CSV package folder"),
               mapping: Optional[Path] = typer.Option(None, help="Taxonomy mapping YAML"),
               restore: bool = typer.Option(
                   False, "--restore", help="An admin backup: replace everything the directory "
                   "holds, providers' changes included (audited)"),
               by: str = typer.Option("admin CLI", help="Who restores (audited)"),
               skip_invalid: bool = typer.Option(
                   False, "--skip-invalid", help="Import every valid row; skip the invalid ones "
                   "and what depends on them, and list them"),
               report_file: Optional[Path] = typer.Option(
                   None, "--report", help="Write the skipped rows (or a rejected package's "
                   "problems) to this CSV file: file,row,field,reason")) -> None:
    """Import an HSDS 3.0 CSV package in one transaction (all or nothing).

    A plain import never undoes a provider: versions, confidential flags, and
    closures, beds and hours changed after the package's date are kept."""
    from directory.hsds import HsdsImportError, import_package
    from directory.hsds.reports import write_problems

    if not path.is_dir():
        _fail(f"{path} is not a folder")

    def work() -> None:
        try:
            with Progress(console=err, transient=True) as progress, \
                    session_scope(state.db) as session:
                report = import_package(session, path, mapping, _progress_callback(progress),
                                        restore_by=Actor.operator(by) if restore else None,
                                        skip_invalid_rows=skip_invalid)
        except HsdsImportError as exc:
            if report_file is not None:
                write_problems(report_file, exc.errors)
            raise
        for problem in report.skipped:
            out.print(say("import_skipped", state.lang, row=str(problem)), highlight=False)
        if report_file is not None:
            write_problems(report_file, report.skipped)
        out.print(f"{'restored' if restore else 'imported'} {path}: "
                  + ", ".join(f"{k} {v}" for k, v in report.counts.items()))
        for sid, name, kinds in report.kept:
            out.print(say("import_kept", state.lang, kinds=", ".join(kinds), name=name, id=sid),
                      highlight=False)
        for sid, name in report.unmapped_services:
            out.print(f"  no category mapped: {name} ({sid})")
        if report.ignored_resources:
            out.print("  not stored: " + ", ".join(report.ignored_resources))
        for warning in report.warnings:
            out.print(f"  warning: {warning}")

    _run(work)


@app.command()
def export(path: Path = typer.Argument(..., help="Folder to write the package to"),
           include_confidential: bool = typer.Option(
               False, "--include-confidential",
               help="Admin backup: keep safe shelters' addresses. Never publish it.")) -> None:
    """Export the directory as an HSDS 3.0 CSV package."""
    from directory.hsds import export_package

    def work() -> None:
        with Progress(console=err, transient=True) as progress, session_scope(state.db) as session:
            report = export_package(session, path, include_confidential, _progress_callback(progress))
        out.print(f"exported to {path}: " + ", ".join(f"{k} {v}" for k, v in report.counts.items()))

    _run(work)


@app.command()
def validate(path: Optional[Path] = typer.Argument(None, help="HSDS package to check; "
                                                   "omit to check the shipped data files")) -> None:
    """Check a package (nothing is written) or the shipped taxonomy, gazetteer and demo data."""
    from directory import demo, places, taxonomy

    if path is None:
        try:
            tax = taxonomy.load()
            gaz = places.load()
        except DirectoryError as exc:
            _fail(str(exc))
        out.print(f"taxonomy: {len(tax.by_code)} categories OK; gazetteer: {len(gaz.places)} places OK")
        state.db = "sqlite://"

        def check_demo() -> None:
            with session_scope(state.db) as session:
                count = demo.load_demo(session)
                session.rollback()
            out.print(f"demo data: {count} services OK")

        _run(check_demo)
        return
    from directory.hsds import import_package

    def work() -> None:
        from directory.db import sessionmaker_for
        with sessionmaker_for(state.db)() as session:
            report = import_package(session, path)
            session.rollback()
        out.print(f"{path} is valid: " + ", ".join(f"{k} {v}" for k, v in report.counts.items()))

    _run(work)


@app.command()
def stats() -> None:
    """Counts by category, and how fresh the data is."""
    def work() -> None:
        with session_scope(state.db) as session:
            services = session.scalar(select(func.count()).select_from(Service))
            orgs = session.scalar(select(func.count()).select_from(Organization))
            locations = session.scalar(select(func.count()).select_from(Location))
            per_code = dict(session.execute(select(ServiceCategory.code, func.count())
                                            .group_by(ServiceCategory.code)).all())
            oldest = session.scalar(select(func.min(Service.last_verified_at)))
            closed = session.scalar(select(func.count()).select_from(Service)
                                    .where(Service.closed_reason.is_not(None)))
            indexed = session.scalar(select(func.count()).select_from(SearchEntry))
        table = Table(title=f"{services} services · {orgs} organizations · {locations} locations")
        table.add_column("category")
        table.add_column("services", justify="right")
        for code in CODES:
            table.add_row(get_taxonomy().label(code, state.lang), str(per_code.get(code, 0)))
        table.caption = (f"temporarily closed: {closed} · oldest verification: "
                         f"{oldest.date() if oldest else '?'} · index rows: {indexed}")
        out.print(table)

    _run(work)


@app.command("load-demo")
def load_demo_cmd() -> None:
    """Load (or refresh) the fictional Ottawa–Gatineau demo directory."""
    from directory.demo import load_demo

    def work() -> None:
        with session_scope(state.db) as session:
            count = load_demo(session)
        out.print(f"demo directory ready: {count} fictional services in {state.db}")

    _run(work)


@app.command()
def generate(services: int = typer.Option(..., min=1, max=1_000_000),
             seed: int = typer.Option(1)) -> None:
    """Write N synthetic services (seeded, reproducible) for benchmarks."""
    from directory.generate import generate as run_generate

    def work() -> None:
        with Progress(console=err, transient=True) as progress, session_scope(state.db) as session:
            written = run_generate(session, services, seed, _progress_callback(progress))
        out.print(f"generated {written} services (seed {seed}) in {state.db}")

    _run(work)


def _parse_clock(value: str, hint: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a time such as 09:00", param_hint=hint) from None


@app.command("set-hours")
def set_hours(service_id: str,
              days: Optional[str] = typer.Option(None, help="Weekdays, e.g. MO,TU,WE,TH,FR"),
              monthly: Optional[str] = typer.Option(
                  None, help="Instead of --days: weekdays of the month, e.g. 1WE,3WE or -1FR"),
              monthday: Optional[str] = typer.Option(
                  None, help="Instead of --days: days of the month, e.g. 15 or 1,15 or -1"),
              opens: str = typer.Option(..., help="HH:MM"),
              closes: str = typer.Option(..., help="HH:MM (not after --opens means next day)"),
              by: str = typer.Option(..., help="Who makes the change (audited)"),
              expect_version: Optional[int] = typer.Option(None, help="Refuse if changed since")) -> None:
    """Replace a service's weekly (or monthly) hours."""
    if (days is None) == (monthly is None and monthday is None):
        raise typer.BadParameter("give --days, or --monthly and/or --monthday", param_hint="--days")
    try:
        day_set = parse_days(days or "")
        if days is None:
            monthly_rule(monthly or "", monthday, time(0), time(0))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--days" if days else "--monthly") from None
    rule = provider.WeeklyHours(day_set, _parse_clock(opens, "--opens"), _parse_clock(closes, "--closes"),
                                monthly=monthly or "", monthdays=monthday or "")
    _provider_update(lambda s: provider.set_hours(s, service_id, [rule], Actor.operator(by),
                                                            expect_version))


@app.command("close-temporarily")
def close_temporarily(service_id: str, reason: str = typer.Option(...),
                      reason_fr: Optional[str] = typer.Option(None),
                      until: Optional[str] = typer.Option(None, help="Last closed day, YYYY-MM-DD"),
                      by: str = typer.Option(...),
                      expect_version: Optional[int] = typer.Option(None)) -> None:
    """Mark a service temporarily closed, with the reason clients will see."""
    try:
        last = date.fromisoformat(until) if until else None
    except ValueError:
        raise typer.BadParameter(f"{until!r} is not a date", param_hint="--until") from None
    _provider_update(lambda s: provider.close_temporarily(
        s, service_id, reason, Actor.operator(by), reason_fr=reason_fr, until=last,
        expected_version=expect_version))


@app.command()
def reopen(service_id: str, by: str = typer.Option(...),
           expect_version: Optional[int] = typer.Option(None)) -> None:
    """End a temporary closure."""
    _provider_update(lambda s: provider.reopen(s, service_id, Actor.operator(by), expect_version))


@app.command("set-beds")
def set_beds(service_id: str, available: int = typer.Option(..., min=0),
             maximum: Optional[int] = typer.Option(None, min=0), by: str = typer.Option(...),
             expect_version: Optional[int] = typer.Option(None)) -> None:
    """Record how many beds are free now."""
    _provider_update(lambda s: provider.set_beds(s, service_id, available, Actor.operator(by), maximum,
                                                 expected_version=expect_version))


@app.command("purge-audit")
def purge_audit(days: float = typer.Option(provider.AUDIT_RETENTION_DAYS,
                                           help="Keep this many days of audit entries")) -> None:
    """Delete audit entries older than the retention limit (run it daily)."""
    def work() -> None:
        with session_scope(state.db) as session:
            removed = provider.purge_audit(session, days)
        out.print(f"deleted {removed} audit entries older than {days:g} days")

    _run(work)


@app.command()
def confirm(service_id: str, by: str = typer.Option(..., help="Who checked it (audited)"),
            expect_version: Optional[int] = typer.Option(None)) -> None:
    """Record that a listing was checked and is still correct."""
    _provider_update(lambda s: provider.confirm(s, service_id, Actor.operator(by), expect_version))


@app.command()
def stale(as_json: bool = typer.Option(False, "--json")) -> None:
    """Listings nobody confirmed for 180 days: clients no longer see them."""
    def work() -> None:
        with session_scope(state.db) as session:
            authorise(session, Actor.operator("admin CLI"), Change.STALE_QUEUE)
            rows = freshness.stale_queue(session)
        if as_json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        table = Table("id", "name", "organization", "last confirmed", "days")
        for row in rows:
            table.add_row(*(str(row[k]) for k in ("id", "name", "organization",
                                                  "last_verified_at", "days")))
        out.print(table)

    _run(work)


accounts_app = typer.Typer(no_args_is_help=True,
                           help="Accounts for providers, peer workers and admins.")
app.add_typer(accounts_app, name="accounts")


@accounts_app.command("create")
def accounts_create(role: str = typer.Option(..., help="provider, peer or admin"),
                    name: str = typer.Option(..., help="Who uses it, e.g. \"front desk\""),
                    org: Optional[str] = typer.Option(None, help="Organization id (providers)"),
                    by: str = typer.Option("admin CLI", help="Who creates it (audited)"),
                    as_json: bool = typer.Option(False, "--json")) -> None:
    """Create an account; its token and one-time link code are shown this once."""
    if role not in {r.value for r in Role}:
        raise typer.BadParameter("use provider, peer or admin", param_hint="--role")

    def work() -> None:
        with session_scope(state.db) as session:
            new = accounts.create(session, Actor.operator(by), role, name, org)
        if as_json:
            print(json.dumps(new.to_json(), ensure_ascii=False))
            return
        out.print(f"account {new.id} ({new.role}) created\n"
                  f"token (shown once, keep it secret): {new.token}\n"
                  f"link code (once, until {new.link_code_expires_at:%Y-%m-%d %H:%M}): "
                  f"{new.link_code}", highlight=False)

    _run(work)


@accounts_app.command("list")
def accounts_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """Every account, without its secrets."""
    def work() -> None:
        with session_scope(state.db) as session:
            rows = accounts.listing(session, Actor.operator("admin CLI"))
        if as_json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        table = Table("id", "role", "org", "name", "links", "revoked")
        for row in rows:
            table.add_row(*("" if row[k] is None else str(row[k]) for k in
                            ("id", "role", "org_id", "name", "links", "revoked_at")))
        out.print(table)

    _run(work)


@accounts_app.command("revoke")
def accounts_revoke(account_id: str,
                    by: str = typer.Option("admin CLI", help="Who revokes it (audited)")) -> None:
    """Revoke an account: its token and links stop working at once."""
    def work() -> None:
        with session_scope(state.db) as session:
            accounts.revoke(session, Actor.operator(by), account_id)
        out.print(f"account {account_id} revoked")

    _run(work)


def _provider_update(change: Callable[[Any], Service]) -> None:
    def work() -> None:
        with session_scope(state.db) as session:
            service = change(session)
            version = service.version
            listing = details(session, service.id)
        out.print(f"updated {listing.title(state.lang)} (version {version}): "
                  f"{listing.state.text(state.lang)}")

    _run(work)


def run() -> None:
    """Entry point for ``python -m directory``."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
