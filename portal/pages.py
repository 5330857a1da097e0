"""The provider web page under ``/portal``: server-rendered HTML forms, English and
French, readable on a phone and usable without JavaScript.

A provider signs in with its account token and sees its services with their
freshness; per service it sets the weekly hours, closes for a while, reopens, counts
beds or says "still correct". An admin sees every organization's services and the
stale queue; a peer worker has nothing to edit.

Every change goes through :mod:`directory.provider`, so who may do what, and the
audit log, stay in :mod:`directory.access`. Each form carries the version the page
was read at (``expected_version``): a form made stale by someone else's change
saves nothing and says so.

Sessions are kept on the server, in memory, by a random id in a cookie that is
HttpOnly, SameSite=Strict, and Secure when ``WAYPOINT_PUBLIC_URL`` is https. Each
session has its own CSRF token, which every form sends back and every POST checks
(403 otherwise). Only the account's id is kept, and the account is read again on
every request, so a revoked token signs its sessions out.
"""

from __future__ import annotations

import hmac
import re
import secrets
import threading
import time as clock_time
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from directory import provider
from directory.access import Actor, Change, Forbidden, Role, authorise, refusal, services_of
from directory.accounts import actor_of, by_token
from directory.db import session_scope
from directory.errors import DirectoryError, StaleUpdate, UnknownService
from directory.freshness import FRESH, STALE, Policy, stale_queue
from directory.i18n import short_date
from directory.listing import details
from directory.models import Account, Organization, Service
from directory.schedules import DAY_CODES, week_table
from words import language, say, sequence

PREFIX = "/portal"
COOKIE = "waypoint_portal"
IDLE_SECONDS = 8 * 3600
TEMPLATES = Path(__file__).resolve().parent / "templates"
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass
class Visit:
    """One browser's session: its CSRF token, language, and account once signed in."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    lang: str = "en"
    account_id: str | None = None
    notice: str | None = None          # a words key shown once ("saved", "signed out")
    seen: float = field(default_factory=clock_time.monotonic)


class Visits:
    """The sessions of one process, by the random id in the cookie; idle ones expire."""

    def __init__(self, idle_seconds: float = IDLE_SECONDS) -> None:
        self.idle = idle_seconds
        self.by_id: dict[str, Visit] = {}
        self.lock = threading.Lock()

    def get(self, visit_id: str | None) -> Visit | None:
        now = clock_time.monotonic()
        with self.lock:
            for old in [k for k, v in self.by_id.items() if now - v.seen > self.idle]:
                del self.by_id[old]
            visit = self.by_id.get(visit_id or "")
            if visit is not None:
                visit.seen = now
            return visit

    def new(self, lang: str = "en", account_id: str | None = None) -> tuple[str, Visit]:
        visit_id, visit = secrets.token_urlsafe(32), Visit(lang=lang, account_id=account_id)
        with self.lock:
            self.by_id[visit_id] = visit
        return visit_id, visit

    def drop(self, visit_id: str | None) -> None:
        with self.lock:
            self.by_id.pop(visit_id or "", None)


class BadForm(Exception):
    """The CSRF token is missing or wrong: nothing is done (403)."""


class Invalid(Exception):
    """A value on a form is wrong; ``key`` is the sentence that says how."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key, self.values = key, values


# ---- reading form values ----

def parse_clock(value: str) -> time:
    m = _CLOCK.match(value.strip())
    if m is None:
        raise Invalid("portal_bad_time")
    return time(int(m.group(1)), int(m.group(2)))


def parse_day(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid("portal_bad_date") from None


def parse_count(value: str, required: bool = True) -> int | None:
    if not value.strip() and not required:
        return None
    if not value.strip().isdigit() or len(value.strip()) > 6:
        raise Invalid("portal_bad_number")
    return int(value.strip())


def hours_from(form: dict[str, list[str]]) -> provider.WeeklyHours:
    days = frozenset(DAY_CODES.index(d) for d in form.get("days", []) if d in DAY_CODES)
    if not days:
        raise Invalid("portal_bad_days")
    return provider.WeeklyHours(days, parse_clock(one(form, "opens")), parse_clock(one(form, "closes")))


def one(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0]


# ---- what a page shows of a service ----

def freshness_text(policy: Policy, service: Service, lang: str) -> str:
    state = policy.of(service.last_verified_at)
    if state == FRESH and service.last_verified_at is not None:
        return say("verified", lang, date=short_date(service.last_verified_at.date(), lang))
    text = say("not_confirmed_recently", lang)
    return f"{text} ({say('portal_hidden_from_clients', lang)})" if state == STALE else text


def beds_text(policy: Policy, service: Service, lang: str) -> str:
    if service.capacity_available is None:
        return ""
    if not policy.beds_fresh(service.capacity_updated_at):
        return say("beds_unknown", lang)
    if service.capacity_maximum is None:
        return str(service.capacity_available)
    return say("portal_beds_count", lang, available=service.capacity_available,
               maximum=service.capacity_maximum)


def row_of(session: Session, policy: Policy, service: Service, lang: str) -> dict[str, Any]:
    org = session.get(Organization, service.organization_id)
    return {"id": service.id, "name": (service.name_fr if lang == "fr" else None) or service.name,
            "organization": "" if org is None else org.name,
            "freshness": freshness_text(policy, service, lang),
            "beds": beds_text(policy, service, lang)}


def form_values(session: Session, service: Service) -> dict[str, Any]:
    """The forms filled with what the service has now (the first weekly rule)."""
    values: dict[str, Any] = {"days": [], "opens": "", "closes": "", "reason": "", "reason_fr": "",
                              "from": "", "to": "",
                              "available": "" if service.capacity_available is None
                              else str(service.capacity_available),
                              "maximum": "" if service.capacity_maximum is None
                              else str(service.capacity_maximum)}
    try:
        listing = details(session, service.id)
    except UnknownService:
        return values
    weekly = [r for r in listing.hours.rules if not r.monthly]
    if weekly:
        rule = weekly[0]
        values.update(days=[DAY_CODES[d] for d in sorted(rule.days)],
                      opens=rule.opens.strftime("%H:%M"), closes=rule.closes.strftime("%H:%M"))
    return values


# ---- the pages ----

def pages_router(url: str, policy_of: Callable[[], Policy], secure: bool) -> APIRouter:
    """The ``/portal`` pages over the database at ``url``."""
    visits = Visits()
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    router = APIRouter(prefix=PREFIX, include_in_schema=False)

    def visit_of(request: Request) -> tuple[str, Visit, bool]:
        """This browser's visit (a new one when it has none); True when new."""
        visit_id = request.cookies.get(COOKIE)
        visit = visits.get(visit_id)
        fresh = visit is None
        if visit is None or visit_id is None:
            visit_id, visit = visits.new()
        chosen = request.query_params.get("lang")
        if chosen in ("en", "fr"):
            visit.lang = chosen
        return visit_id, visit, fresh

    def with_cookie(response: Response, visit_id: str) -> Response:
        response.set_cookie(COOKIE, visit_id, path=PREFIX, httponly=True, samesite="strict",
                            secure=secure)
        return response

    def actor_of_visit(session: Session, visit: Visit) -> Actor | None:
        if visit.account_id is None:
            return None
        account = session.get(Account, visit.account_id)
        if account is None or account.revoked_at is not None:
            visit.account_id = None
            return None
        return actor_of(account)

    def render(name: str, visit_id: str, visit: Visit, status: int = 200,
               actor: Actor | None = None, **context: Any) -> Response:
        lang = language(visit.lang)
        notice, visit.notice = visit.notice, None

        def t(key: str, **values: Any) -> str:
            return say(key, lang, **values)

        html = env.get_template(name).render(
            t=t, lang=lang, csrf=visit.csrf, actor=actor, notice=notice and t(notice),
            prefix=PREFIX, here=context.pop("here", f"{PREFIX}/"),
            days=list(zip(DAY_CODES, sequence("portal_days_short", lang))),
            **context)
        response = HTMLResponse(html, status_code=status,
                                headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                                         "Content-Security-Policy": "default-src 'self'; "
                                         "style-src 'self' 'unsafe-inline'; form-action 'self'"})
        return with_cookie(response, visit_id)

    def message(visit_id: str, visit: Visit, status: int, heading: str, text: str,
                actor: Actor | None = None) -> Response:
        return render("message.html", visit_id, visit, status, actor, heading=heading, text=text)

    async def posted(request: Request, visit: Visit) -> dict[str, list[str]]:
        """The form's fields, once its CSRF token is checked."""
        body = (await request.body()).decode("utf-8", errors="replace")
        form = parse_qs(body, keep_blank_values=True, max_num_fields=100)
        if not hmac.compare_digest(one(form, "csrf").encode(), visit.csrf.encode()):
            raise BadForm
        return form

    def home_page(session: Session, visit_id: str, visit: Visit, actor: Actor) -> Response:
        lang = language(visit.lang)
        policy = policy_of()
        rows = [row_of(session, policy, s, lang) for s in services_of(session, actor)]
        stale = None
        if refusal(actor, Change.STALE_QUEUE, None) is None:
            authorise(session, actor, Change.STALE_QUEUE)
            stale = stale_queue(session, policy)
        return render("home.html", visit_id, visit, actor=actor, services=rows, stale=stale,
                      admin=actor.role is Role.ADMIN)

    def service_page(session: Session, visit_id: str, visit: Visit, actor: Actor, service_id: str,
                     status: int = 200, error: str | None = None,
                     values: dict[str, Any] | None = None) -> Response:
        lang = language(visit.lang)
        service = authorise(session, actor, Change.READ, service_id)
        assert service is not None
        policy = policy_of()
        preview, week = None, []
        try:
            listing = details(session, service_id, policy=policy)
            preview = listing
            week = week_table(listing.hours, lang)
        except UnknownService:
            pass
        closure = None
        if service.closed_reason:
            closure = (service.closed_reason_fr if lang == "fr" else None) or service.closed_reason
        filled = form_values(session, service)
        filled.update(values or {})
        return render("service.html", visit_id, visit, status, actor,
                      service=row_of(session, policy, service, lang), version=service.version,
                      editable=refusal(actor, Change.HOURS, service) is None,
                      preview=None if preview is None else {
                          "state": preview.state.text(lang), "verified": preview.verified(lang),
                          "beds": preview.beds(lang)},
                      week=week, closure=closure, error=error, form=filled,
                      here=f"{PREFIX}/services/{quote(service_id, safe='')}")

    @router.get("", response_class=HTMLResponse)
    @router.get("/", response_class=HTMLResponse)
    def home(request: Request) -> Response:
        visit_id, visit, _ = visit_of(request)
        with session_scope(url) as session:
            actor = actor_of_visit(session, visit)
            if actor is None:
                return render("signin.html", visit_id, visit)
            return home_page(session, visit_id, visit, actor)

    @router.post("/signin", response_class=HTMLResponse)
    async def sign_in(request: Request) -> Response:
        visit_id, visit, _ = visit_of(request)
        try:
            form = await posted(request, visit)
        except BadForm:
            return message(visit_id, visit, 403, say("portal_forbidden_heading", visit.lang),
                           say("portal_bad_form", visit.lang))
        with session_scope(url) as session:
            actor = by_token(session, one(form, "token").strip())
        if actor is None or actor.account_id is None:
            return render("signin.html", visit_id, visit, 401, error=say("portal_signin_wrong", visit.lang))
        visits.drop(visit_id)  # a new id once signed in: no session fixation
        new_id, _new = visits.new(visit.lang, actor.account_id)
        return with_cookie(RedirectResponse(f"{PREFIX}/", status_code=303), new_id)

    @router.post("/signout", response_class=HTMLResponse)
    async def sign_out(request: Request) -> Response:
        visit_id, visit, _ = visit_of(request)
        try:
            await posted(request, visit)
        except BadForm:
            return message(visit_id, visit, 403, say("portal_forbidden_heading", visit.lang),
                           say("portal_bad_form", visit.lang))
        visits.drop(visit_id)
        new_id, new = visits.new(visit.lang)
        new.notice = "portal_signed_out"
        return with_cookie(RedirectResponse(f"{PREFIX}/", status_code=303), new_id)

    @router.get("/services/{service_id}", response_class=HTMLResponse)
    def service(request: Request, service_id: str) -> Response:
        visit_id, visit, _ = visit_of(request)
        lang = language(visit.lang)
        try:
            with session_scope(url) as session:
                actor = actor_of_visit(session, visit)
                if actor is None:
                    return with_cookie(RedirectResponse(f"{PREFIX}/", status_code=303), visit_id)
                return service_page(session, visit_id, visit, actor, service_id)
        except Forbidden as exc:
            return message(visit_id, visit, 403, say("portal_forbidden_heading", lang), exc.text(lang))
        except UnknownService:
            return message(visit_id, visit, 404, say("portal_not_found", lang), service_id)

    @router.post("/services/{service_id}/{what}", response_class=HTMLResponse)
    async def change(request: Request, service_id: str, what: str) -> Response:
        visit_id, visit, _ = visit_of(request)
        lang = language(visit.lang)
        if what not in CHANGES:
            return message(visit_id, visit, 404, say("portal_not_found", lang), what)
        try:
            form = await posted(request, visit)
        except BadForm:
            return message(visit_id, visit, 403, say("portal_forbidden_heading", lang),
                           say("portal_bad_form", lang))
        entered = {k: (v if k == "days" else v[0]) for k, v in form.items() if k != "csrf"}
        status, error = 200, None
        try:
            with session_scope(url) as session:
                actor = actor_of_visit(session, visit)
                if actor is None:
                    return with_cookie(RedirectResponse(f"{PREFIX}/", status_code=303), visit_id)
                try:
                    version = int(one(form, "version"))
                except ValueError:
                    raise BadForm from None
                authorise(session, actor, KINDS[what], service_id)  # 403 before any 422
                CHANGES[what](session, service_id, actor, version, form)
            visit.notice = "portal_saved"
            return with_cookie(RedirectResponse(f"{PREFIX}/services/{service_id}", status_code=303),
                               visit_id)
        except BadForm:
            return message(visit_id, visit, 403, say("portal_forbidden_heading", lang),
                           say("portal_bad_form", lang))
        except Forbidden as exc:
            return message(visit_id, visit, 403, say("portal_forbidden_heading", lang), exc.text(lang))
        except UnknownService:
            return message(visit_id, visit, 404, say("portal_not_found", lang), service_id)
        except StaleUpdate:
            status, error, entered = 409, say("portal_stale_form", lang), {}
        except Invalid as exc:
            status, error = 422, say(exc.key, lang, **exc.values)
        except DirectoryError as exc:
            status, error = 422, say("portal_refused_value", lang, problem=str(exc))
        with session_scope(url) as session:
            actor = actor_of_visit(session, visit)
            assert actor is not None
            return service_page(session, visit_id, visit, actor, service_id, status, error, entered)

    return router


# ---- the changes a form can ask for: (session, service id, actor, version, form) ----

def _hours(s: Session, sid: str, actor: Actor, version: int, form: dict[str, list[str]]) -> None:
    provider.set_hours(s, sid, [hours_from(form)], actor, version)


def _close(s: Session, sid: str, actor: Actor, version: int, form: dict[str, list[str]]) -> None:
    reason = one(form, "reason").strip()
    if not reason or len(reason) > 300 or len(one(form, "reason_fr")) > 300:
        raise Invalid("portal_bad_reason")
    provider.close_temporarily(s, sid, reason, actor, reason_fr=one(form, "reason_fr").strip() or None,
                               since=parse_day(one(form, "from")), until=parse_day(one(form, "to")),
                               expected_version=version)


def _reopen(s: Session, sid: str, actor: Actor, version: int, form: dict[str, list[str]]) -> None:
    provider.reopen(s, sid, actor, version)


def _beds(s: Session, sid: str, actor: Actor, version: int, form: dict[str, list[str]]) -> None:
    available = parse_count(one(form, "available"))
    assert available is not None
    provider.set_beds(s, sid, available, actor, parse_count(one(form, "maximum"), required=False),
                      expected_version=version)


def _confirm(s: Session, sid: str, actor: Actor, version: int, form: dict[str, list[str]]) -> None:
    provider.confirm(s, sid, actor, version)


KINDS = {"hours": Change.HOURS, "close": Change.CLOSE, "reopen": Change.REOPEN,
         "beds": Change.BEDS, "confirm": Change.CONFIRM}
CHANGES: dict[str, Callable[[Session, str, Actor, int, dict[str, list[str]]], None]] = {
    "hours": _hours, "close": _close, "reopen": _reopen, "beds": _beds, "confirm": _confirm}
