"""The provider API: other systems (a shelter's bed system, a 211 feed) read and update
listings over HTTP, under ``/api/v1``, documented at ``/api/v1/openapi.json``.

Every request carries ``Authorization: Bearer TOKEN``, an account token from
``python -m directory accounts create``. Who may read or change which service is
decided by :func:`directory.access.authorise` alone (the provider functions call it
too); this module only maps its answers to status codes. Each write names the version
it read in ``If-Match`` (the ``ETag`` of the last read); a stale one is refused (412)
and changes nothing, so two systems cannot overwrite each other unseen.

One database session per request, committed before the answer is sent, so what the
API answers is what the bot's next search reads. Nothing happens at import:
:func:`create_app` builds the application.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, time
from typing import Any, Optional

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, conint, conlist, constr, root_validator, validator
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

import settings
from directory import provider
from directory.access import Actor, Change, Forbidden, authorise, services_of
from directory.accounts import by_token
from directory.db import session_scope
from directory.errors import DirectoryError, StaleUpdate, UnknownService
from directory.freshness import Policy
from directory.listing import Listing, details
from directory.models import Service
from directory.schedules import DAY_CODES, Rule, format_weeks, parse_monthdays, parse_weeks
from portal.pages import pages_router

PREFIX = "/api/v1"
_ETAG = re.compile(r'^"v(\d+)"$')


class ApiError(Exception):
    """An answer other than 2xx, with the sentence for ``{"error": ...}``."""

    def __init__(self, status: int, error: str, field: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.field, self.headers = status, error, field, headers


# ---- what the API reads and answers (the OpenAPI schemas come from these) ----

class Lang(str, enum.Enum):
    en = "en"
    fr = "fr"


Day = enum.Enum("Day", {code: code for code in DAY_CODES}, type=str)  # type: ignore[misc]
Clock = constr(regex=r"^([01]\d|2[0-3]):[0-5]\d$")
IsoDate = constr(regex=r"^\d{4}-\d{2}-\d{2}$")


class Error(BaseModel):
    error: str = Field(..., description="What went wrong, in a sentence")
    fields: Optional[list[str]] = Field(None, description="The request fields at fault (422)")


class Beds(BaseModel):
    available: conint(ge=0, le=100_000) = Field(..., description="Beds (or spots) free now")  # type: ignore[valid-type]
    maximum: Optional[conint(ge=0, le=100_000)] = Field(  # type: ignore[valid-type]
        None, description="How many there are in all; kept as it was when left out")
    unit: Optional[constr(strip_whitespace=True, min_length=1, max_length=40)] = Field(  # type: ignore[valid-type]
        None, description='What is counted: "beds" unless said')

    class Config:
        extra = "forbid"
        schema_extra = {"example": {"available": 3, "maximum": 40}}

    @root_validator(skip_on_failure=True)
    def _not_above_maximum(cls, values: dict[str, Any]) -> dict[str, Any]:
        top = values.get("maximum")
        if top is not None and values["available"] > top:
            raise ValueError(f"available ({values['available']}) is more than maximum ({top})")
        return values


class HoursRule(BaseModel):
    """Open from ``opens`` to ``closes`` on ``days``; or, with ``monthly`` and/or
    ``monthdays``, only on those days of each month (``days`` is then left out)."""

    days: list[Day] = Field(default_factory=list, description="Weekdays: MO TU WE TH FR SA SU")
    monthly: list[str] = Field(default_factory=list,
                               description='Weekdays of the month, e.g. ["1WE", "3WE"] or ["-1FR"]')
    monthdays: list[int] = Field(default_factory=list,
                                 description="Days of the month, e.g. [1, 15] or [-1] for the last")
    opens: Clock = Field(..., description="HH:MM")  # type: ignore[valid-type]
    closes: Clock = Field(..., description="HH:MM; not after opens means the next day")  # type: ignore[valid-type]

    class Config:
        extra = "forbid"

    @validator("monthly")
    def _weeks(cls, value: list[str]) -> list[str]:
        parse_weeks(",".join(value))  # ValueError names the bad code
        return [v.strip().upper() for v in value]

    @validator("monthdays")
    def _monthdays(cls, value: list[int]) -> list[int]:
        parse_monthdays(",".join(map(str, value)))
        return value

    @root_validator(skip_on_failure=True)
    def _one_kind(cls, values: dict[str, Any]) -> dict[str, Any]:
        monthly = values["monthly"] or values["monthdays"]
        if bool(values["days"]) == bool(monthly):
            raise ValueError("give days, or monthly and/or monthdays (not both)")
        return values

    def weekly_hours(self) -> provider.WeeklyHours:
        return provider.WeeklyHours(
            frozenset(DAY_CODES.index(d.value) for d in self.days),
            time.fromisoformat(self.opens), time.fromisoformat(self.closes),
            monthly=",".join(self.monthly), monthdays=",".join(map(str, self.monthdays)))


class HoursIn(BaseModel):
    rules: conlist(HoursRule, min_items=1, max_items=50)  # type: ignore[valid-type]

    class Config:
        extra = "forbid"
        schema_extra = {"example": {"rules": [
            {"days": ["MO", "TU", "WE", "TH", "FR"], "opens": "09:00", "closes": "17:00"},
            {"monthly": ["1SA"], "opens": "10:00", "closes": "14:00"}]}}


class ClosureIn(BaseModel):
    reason: constr(strip_whitespace=True, min_length=1, max_length=300) = Field(  # type: ignore[valid-type]
        ..., description="Why, as clients will read it (English)")
    reason_fr: Optional[constr(strip_whitespace=True, max_length=300)] = Field(  # type: ignore[valid-type]
        None, description="The same in French")
    from_: Optional[IsoDate] = Field(None, alias="from",  # type: ignore[valid-type]
                                     description="First closed day, YYYY-MM-DD (default today)")
    to: Optional[IsoDate] = Field(None, description="Last closed day, YYYY-MM-DD "  # type: ignore[valid-type]
                                  "(left out: until reopened)")

    class Config:
        extra = "forbid"
        allow_population_by_field_name = True
        schema_extra = {"example": {"reason": "flood", "reason_fr": "inondation",
                                    "from": "2026-12-24", "to": "2026-12-26"}}

    @validator("from_", "to")
    def _real_date(cls, value: str | None) -> str | None:
        if value is not None:
            date.fromisoformat(value)  # ValueError for 2026-02-30
        return value

    @root_validator(skip_on_failure=True)
    def _in_order(cls, values: dict[str, Any]) -> dict[str, Any]:
        start, end = values.get("from_"), values.get("to")
        if start and end and end < start:
            raise ValueError(f"to ({end}) is before from ({start})")
        return values


class ServiceSummary(BaseModel):
    id: str
    name: str
    organization_id: str
    version: int
    last_verified_at: Optional[str]


class ServiceList(BaseModel):
    services: list[ServiceSummary]


class ServiceOut(BaseModel):
    """The listing as clients see it (``Listing.to_json``), with what an editor needs:
    ``version`` (also the ``ETag``), the hours as rules, and the closure."""

    id: str
    name: str
    organization_id: str
    version: int
    open: bool
    opening_state: str
    last_verified_at: Optional[str]
    freshness: str
    capacity: Optional[dict[str, Any]]
    hours: list[dict[str, Any]]
    closure: Optional[dict[str, Any]]

    class Config:
        extra = "allow"


# ---- shaping answers ----

def etag(version: int) -> str:
    return f'"v{version}"'


def expected_version(if_match: str | None) -> int:
    """The version an ``If-Match`` names: 428 without one, 412 when it names none."""
    if if_match is None or not if_match.strip():
        raise ApiError(428, "send If-Match with the ETag of the service as you last read it")
    versions = [m.group(1) for m in (_ETAG.match(tag.strip()) for tag in if_match.split(",")) if m]
    if len(versions) != 1:
        raise ApiError(412, f"If-Match {if_match!r} is not one ETag of this service; read it again")
    return int(versions[0])


def rule_json(rule: Rule) -> dict[str, Any]:
    """A schedule rule in the shape ``PUT …/hours`` takes."""
    out: dict[str, Any] = {"opens": rule.opens.strftime("%H:%M"), "closes": rule.closes.strftime("%H:%M")}
    if rule.monthly:
        if rule.weeks:
            out["monthly"] = format_weeks(rule.weeks).split(",")
        if rule.monthdays:
            out["monthdays"] = list(rule.monthdays)
    else:
        out["days"] = [DAY_CODES[d] for d in sorted(rule.days)]
    return out


def service_json(listing: Listing, version: int, lang: str) -> dict[str, Any]:
    closure = listing.hours.closure
    return {**listing.to_json(lang), "version": version,
            "hours": [rule_json(r) for r in listing.hours.rules],
            "closure": None if closure is None else {
                "reason": closure.reason.get("en") or None,
                "reason_fr": closure.reason.get("fr") or None,
                "from": None if closure.since is None else closure.since.isoformat(),
                "to": None if closure.until is None else closure.until.isoformat()}}


def error_response(status: int, error: str, fields: list[str] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": error}
    if fields:
        body["fields"] = fields
    return JSONResponse(body, status_code=status, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "__root__")]
    return ".".join(parts).replace("from_", "from") or "body"


def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    fields, sentences = [], []
    for problem in exc.errors():
        name = _field(tuple(problem.get("loc", ())))
        fields.append(name)
        sentences.append(f"{name}: {problem.get('msg', 'invalid')}")
    return error_response(422, "; ".join(sentences), list(dict.fromkeys(fields)))


ERRORS = {status: {"model": Error} for status in (401, 403, 404, 422)}
WRITE_ERRORS = {**ERRORS, 412: {"model": Error, "description": "If-Match names an old version"},
                428: {"model": Error, "description": "If-Match is missing"}}
OK = {200: {"model": ServiceOut, "headers": {"ETag": {"description": "the service's version",
                                                       "schema": {"type": "string"}}}}}


# ---- the application ----

def create_app(database_url: str | None = None) -> FastAPI:
    """The API over ``database_url`` (default: ``WAYPOINT_DATABASE_URL``)."""
    current = settings.load()
    url = database_url or current.database_url
    bearer = HTTPBearer(auto_error=False, description="An account token (`python -m directory "
                        "accounts create`)")

    def unit(credentials: Optional[HTTPAuthorizationCredentials] = Depends(bearer)
             ) -> Iterator[tuple[Session, Actor]]:
        """This request's session, and who it acts for (401 without a valid token)."""
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise ApiError(401, "send Authorization: Bearer TOKEN (an account token)",
                           headers={"WWW-Authenticate": "Bearer"})
        with session_scope(url) as session:
            actor = by_token(session, credentials.credentials)
            if actor is None:
                raise ApiError(401, "this token is unknown or revoked",
                               headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
            yield session, actor

    # scope="function": commit before the answer is sent, not after.
    request_unit = Depends(unit, scope="function")

    def answer(session: Session, service_id: str, lang: Lang) -> JSONResponse:
        listing = details(session, service_id, policy=Policy(beds_fresh_hours=current.beds_fresh_hours))
        service = session.get(Service, service_id)
        assert service is not None  # details found it
        return JSONResponse(service_json(listing, service.version, lang.value),
                            headers={"ETag": etag(service.version)})

    @contextmanager
    def invalid_as(field: str) -> Iterator[None]:
        """A value the directory refuses (not the access rule, not a stale version): 422."""
        try:
            yield
        except (Forbidden, UnknownService, StaleUpdate):
            raise
        except DirectoryError as exc:
            raise ApiError(422, f"{field}: {exc}", field) from None

    def write(session: Session, actor: Actor, change: Change, service_id: str,
              if_match: str | None, field: str, make: Any, lang: Lang) -> JSONResponse:
        authorise(session, actor, change, service_id)   # 404 / 403 before 428
        version = expected_version(if_match)
        with invalid_as(field):
            make(version)
        return answer(session, service_id, lang)

    router = APIRouter(prefix=PREFIX)
    service_path = Path(..., description="The service id", max_length=200)
    if_match_header = Header(None, alias="If-Match", description='The ETag last read, e.g. "v3"')
    lang_query = Query(Lang.en, description="Language of names and sentences")

    @router.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        """Whether the API is up (no token, no database)."""
        return {"status": "ok"}

    @router.get("/services", response_model=ServiceList, responses=ERRORS, tags=["services"])
    def list_services(work: tuple[Session, Actor] = request_unit) -> dict[str, Any]:
        """The services the caller may change: a provider's organization's, all for an
        admin, none for a peer worker."""
        session, actor = work
        return {"services": [
            {"id": s.id, "name": s.name, "organization_id": s.organization_id, "version": s.version,
             "last_verified_at": None if s.last_verified_at is None else s.last_verified_at.isoformat()}
            for s in services_of(session, actor)]}

    @router.get("/services/{service_id}", responses={**OK, **ERRORS}, tags=["services"])
    def get_service(service_id: str = service_path, lang: Lang = lang_query,
                    work: tuple[Session, Actor] = request_unit) -> JSONResponse:
        """One service as clients see it, with its version (also the ``ETag``)."""
        session, actor = work
        authorise(session, actor, Change.READ, service_id)
        return answer(session, service_id, lang)

    @router.put("/services/{service_id}/beds", responses={**OK, **WRITE_ERRORS}, tags=["updates"])
    def put_beds(body: Beds, service_id: str = service_path, if_match: Optional[str] = if_match_header,
                 lang: Lang = lang_query, work: tuple[Session, Actor] = request_unit) -> JSONResponse:
        """Record how many beds are free now."""
        session, actor = work
        return write(session, actor, Change.BEDS, service_id, if_match, "available",
                     lambda v: provider.set_beds(session, service_id, body.available, actor,
                                                 body.maximum, body.unit, expected_version=v), lang)

    @router.put("/services/{service_id}/hours", responses={**OK, **WRITE_ERRORS}, tags=["updates"])
    def put_hours(body: HoursIn, service_id: str = service_path, if_match: Optional[str] = if_match_header,
                  lang: Lang = lang_query, work: tuple[Session, Actor] = request_unit) -> JSONResponse:
        """Replace the regular weekly (and monthly) hours."""
        session, actor = work
        rules = [r.weekly_hours() for r in body.rules]
        return write(session, actor, Change.HOURS, service_id, if_match, "rules",
                     lambda v: provider.set_hours(session, service_id, rules, actor, v), lang)

    @router.post("/services/{service_id}/closures", responses={**OK, **WRITE_ERRORS},
                 tags=["updates"])
    def post_closure(body: ClosureIn, service_id: str = service_path,
                     if_match: Optional[str] = if_match_header, lang: Lang = lang_query,
                     work: tuple[Session, Actor] = request_unit) -> JSONResponse:
        """Close the service for a while (from today unless ``from``), with a reason."""
        session, actor = work
        since = None if body.from_ is None else date.fromisoformat(body.from_)
        until = None if body.to is None else date.fromisoformat(body.to)
        return write(session, actor, Change.CLOSE, service_id, if_match, "to",
                     lambda v: provider.close_temporarily(
                         session, service_id, body.reason, actor, reason_fr=body.reason_fr,
                         until=until, since=since, expected_version=v), lang)

    @router.delete("/services/{service_id}/closures", responses={**OK, **WRITE_ERRORS},
                   tags=["updates"])
    def delete_closure(service_id: str = service_path, if_match: Optional[str] = if_match_header,
                       lang: Lang = lang_query, work: tuple[Session, Actor] = request_unit) -> JSONResponse:
        """End a temporary closure (reopen)."""
        session, actor = work
        return write(session, actor, Change.REOPEN, service_id, if_match, "closure",
                     lambda v: provider.reopen(session, service_id, actor, v), lang)

    @router.post("/services/{service_id}/confirm", responses={**OK, **WRITE_ERRORS}, tags=["updates"])
    def post_confirm(service_id: str = service_path, if_match: Optional[str] = if_match_header,
                     lang: Lang = lang_query, work: tuple[Session, Actor] = request_unit) -> JSONResponse:
        """Say the listing was checked and is still correct."""
        session, actor = work
        return write(session, actor, Change.CONFIRM, service_id, if_match, "service",
                     lambda v: provider.confirm(session, service_id, actor, v), lang)

    app = FastAPI(title="Waypoint provider API", version="1",
                  description=__doc__.split("\n\n")[0].replace("\n", " "),
                  openapi_url=f"{PREFIX}/openapi.json", docs_url=f"{PREFIX}/docs", redoc_url=None)
    app.include_router(router)
    # The web page for providers (portal/pages.py), on the same database and rules.
    app.include_router(pages_router(url, lambda: Policy(beds_fresh_hours=current.beds_fresh_hours),
                                    secure=current.public_url.startswith("https")))
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    handlers: list[tuple[type[Exception], Any]] = [
        (ApiError, lambda _r, e: error_response(e.status, e.error, [e.field] if e.field else None,
                                                e.headers)),
        (HTTPException, lambda _r, e: error_response(e.status_code, str(e.detail), None,
                                                     getattr(e, "headers", None))),
        (Forbidden, lambda _r, e: error_response(403, str(e))),
        (UnknownService, lambda _r, e: error_response(404, str(e))),
        (StaleUpdate, lambda _r, e: error_response(412, str(e))),
        (DirectoryError, lambda _r, e: error_response(422, str(e))),
        (Exception, lambda _r, e: error_response(500, "internal error; it has been logged")),
    ]
    for kind, handler in handlers:
        app.add_exception_handler(kind, handler)
    return app
