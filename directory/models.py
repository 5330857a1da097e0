"""The resource directory's tables: HSDS 3.0 entities plus Waypoint's operational facts.

HSDS 3.0 names and shapes are kept where they exist (organization, service,
location, service_at_location, address, phone, schedule, language,
taxonomy_term) so that import and export are a column-for-column mapping.
What clients need and HSDS leaves loose (populations, ID rules, pets, beds,
closures, confidential locations, holiday policy, French text) lives in
extension columns, exported as separate resources.

SQLAlchemy is pinned to 1.4 by Rasa, so columns use ``Column`` with
``Mapped[...]`` annotations; all queries elsewhere are 2.0 style.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Optional

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
)
from sqlalchemy.orm import Mapped, declarative_base, relationship

Base = declarative_base()

HOLIDAY_POLICIES = ("closed", "open", "special")
COSTS = ("free", "low_cost", "fee")
POPULATIONS = ("all", "women", "men", "youth", "families", "couples", "2slgbtq", "indigenous")


class Organization(Base):
    __tablename__ = "organization"

    id: Mapped[str] = Column(String(36), primary_key=True)
    name: Mapped[str] = Column(Text, nullable=False)
    name_fr: Mapped[Optional[str]] = Column(Text)
    alternate_name: Mapped[Optional[str]] = Column(Text)
    description: Mapped[str] = Column(Text, nullable=False, default="")
    description_fr: Mapped[Optional[str]] = Column(Text)
    email: Mapped[Optional[str]] = Column(Text)
    website: Mapped[Optional[str]] = Column(Text)


class Service(Base):
    __tablename__ = "service"

    id: Mapped[str] = Column(String(36), primary_key=True)
    organization_id: Mapped[str] = Column(
        String(36), ForeignKey("organization.id"), nullable=False, index=True
    )
    name: Mapped[str] = Column(Text, nullable=False)
    name_fr: Mapped[Optional[str]] = Column(Text)
    alternate_name: Mapped[Optional[str]] = Column(Text)
    description: Mapped[Optional[str]] = Column(Text)
    description_fr: Mapped[Optional[str]] = Column(Text)
    url: Mapped[Optional[str]] = Column(Text)
    email: Mapped[Optional[str]] = Column(Text)
    status: Mapped[str] = Column(String(32), nullable=False, default="active")
    application_process: Mapped[Optional[str]] = Column(Text)
    fees_description: Mapped[Optional[str]] = Column(Text)
    eligibility_description: Mapped[Optional[str]] = Column(Text)
    minimum_age: Mapped[Optional[float]] = Column(Float)
    maximum_age: Mapped[Optional[float]] = Column(Float)
    alert: Mapped[Optional[str]] = Column(Text)
    last_modified: Mapped[Optional[datetime]] = Column(DateTime)

    # Waypoint extensions: facts a client needs before walking over.
    populations: Mapped[str] = Column(String(120), nullable=False, default="all")
    walk_in: Mapped[bool] = Column(Boolean, nullable=False, default=True)
    id_required: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    health_card_required: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    cost: Mapped[str] = Column(String(16), nullable=False, default="free")
    pets: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    holiday_policy: Mapped[str] = Column(String(16), nullable=False, default="open")
    confidential: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    coverage_km: Mapped[Optional[float]] = Column(Float)
    # Shaped after HSDS 3.1 service_capacity (available, maximum, unit, updated).
    capacity_available: Mapped[Optional[int]] = Column(Integer)
    capacity_maximum: Mapped[Optional[int]] = Column(Integer)
    capacity_unit: Mapped[Optional[str]] = Column(String(32))
    capacity_updated_at: Mapped[Optional[datetime]] = Column(DateTime)
    closed_reason: Mapped[Optional[str]] = Column(Text)
    closed_reason_fr: Mapped[Optional[str]] = Column(Text)
    closed_since: Mapped[Optional[date]] = Column(Date)
    closed_until: Mapped[Optional[date]] = Column(Date)
    last_verified_at: Mapped[Optional[datetime]] = Column(DateTime)
    # Optimistic concurrency: every provider update bumps it, a stale one is refused.
    version: Mapped[int] = Column(Integer, nullable=False, default=1)

    organization = relationship("Organization")
    categories = relationship(
        "ServiceCategory", cascade="all, delete-orphan", order_by="ServiceCategory.position"
    )
    languages = relationship("Language", cascade="all, delete-orphan", order_by="Language.id")
    schedules = relationship(
        "Schedule",
        primaryjoin="Service.id == foreign(Schedule.service_id)",
        order_by="Schedule.id",
        viewonly=True,
    )
    sites = relationship("ServiceAtLocation", back_populates="service", order_by="ServiceAtLocation.id")

    @property
    def population_list(self) -> list[str]:
        return [p for p in self.populations.split(",") if p]

    @property
    def category_codes(self) -> list[str]:
        return [c.code for c in self.categories]


class ServiceCategory(Base):
    """A service's canonical category codes, in the order given (first = main)."""

    __tablename__ = "service_category"

    service_id: Mapped[str] = Column(
        String(36), ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = Column(String(40), primary_key=True)
    position: Mapped[int] = Column(Integer, nullable=False, default=0)
    taxonomy_term_id: Mapped[Optional[str]] = Column(String(36))


class Location(Base):
    __tablename__ = "location"

    id: Mapped[str] = Column(String(36), primary_key=True)
    organization_id: Mapped[Optional[str]] = Column(String(36), ForeignKey("organization.id"))
    location_type: Mapped[str] = Column(String(16), nullable=False, default="physical")
    name: Mapped[Optional[str]] = Column(Text)
    alternate_name: Mapped[Optional[str]] = Column(Text)
    description: Mapped[Optional[str]] = Column(Text)
    transportation: Mapped[Optional[str]] = Column(Text)
    latitude: Mapped[Optional[float]] = Column(Float)
    longitude: Mapped[Optional[float]] = Column(Float)
    accessibility: Mapped[Optional[str]] = Column(Text)
    accessibility_fr: Mapped[Optional[str]] = Column(Text)

    addresses = relationship("Address", cascade="all, delete-orphan", order_by="Address.id")
    organization = relationship("Organization")


class ServiceAtLocation(Base):
    __tablename__ = "service_at_location"

    id: Mapped[str] = Column(String(36), primary_key=True)
    service_id: Mapped[str] = Column(
        String(36), ForeignKey("service.id", ondelete="CASCADE"), nullable=False, index=True
    )
    location_id: Mapped[str] = Column(
        String(36), ForeignKey("location.id"), nullable=False, index=True
    )
    description: Mapped[Optional[str]] = Column(Text)

    service = relationship("Service", back_populates="sites")
    location = relationship("Location")


class Address(Base):
    __tablename__ = "address"

    id: Mapped[str] = Column(String(36), primary_key=True)
    location_id: Mapped[str] = Column(
        String(36), ForeignKey("location.id", ondelete="CASCADE"), nullable=False, index=True
    )
    attention: Mapped[Optional[str]] = Column(Text)
    address_1: Mapped[str] = Column(Text, nullable=False)
    address_2: Mapped[Optional[str]] = Column(Text)
    city: Mapped[str] = Column(Text, nullable=False)
    region: Mapped[Optional[str]] = Column(Text)
    state_province: Mapped[str] = Column(String(8), nullable=False)
    postal_code: Mapped[str] = Column(String(16), nullable=False)
    country: Mapped[str] = Column(String(2), nullable=False, default="CA")
    address_type: Mapped[str] = Column(String(16), nullable=False, default="physical")


class Phone(Base):
    __tablename__ = "phone"

    id: Mapped[str] = Column(String(36), primary_key=True)
    service_id: Mapped[Optional[str]] = Column(String(36), ForeignKey("service.id"), index=True)
    location_id: Mapped[Optional[str]] = Column(String(36), ForeignKey("location.id"))
    organization_id: Mapped[Optional[str]] = Column(String(36), ForeignKey("organization.id"))
    service_at_location_id: Mapped[Optional[str]] = Column(
        String(36), ForeignKey("service_at_location.id")
    )
    number: Mapped[str] = Column(String(40), nullable=False)
    extension: Mapped[Optional[int]] = Column(Integer)
    type: Mapped[Optional[str]] = Column(String(16))
    description: Mapped[Optional[str]] = Column(Text)

    # Declared so the unit of work inserts parents before phones in one flush.
    service = relationship("Service")
    location = relationship("Location")
    organization = relationship("Organization")
    site = relationship("ServiceAtLocation")


class Language(Base):
    __tablename__ = "language"

    id: Mapped[str] = Column(String(36), primary_key=True)
    service_id: Mapped[str] = Column(
        String(36), ForeignKey("service.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[Optional[str]] = Column(Text)
    code: Mapped[str] = Column(String(8), nullable=False)
    note: Mapped[Optional[str]] = Column(Text)


class Schedule(Base):
    """An HSDS weekly schedule row, in local clock time of ``America/Toronto``.

    ``kind`` is Waypoint's extension: ``regular`` rows apply on their weekdays;
    ``holiday`` rows give the special hours a ``special`` service keeps on
    statutory holidays (their ``byday`` is empty).
    """

    __tablename__ = "schedule"

    id: Mapped[str] = Column(String(36), primary_key=True)
    service_id: Mapped[Optional[str]] = Column(String(36), index=True)
    location_id: Mapped[Optional[str]] = Column(String(36))
    service_at_location_id: Mapped[Optional[str]] = Column(String(36), index=True)
    kind: Mapped[str] = Column(String(16), nullable=False, default="regular")
    valid_from: Mapped[Optional[date]] = Column(Date)
    valid_to: Mapped[Optional[date]] = Column(Date)
    freq: Mapped[str] = Column(String(16), nullable=False, default="WEEKLY")
    byday: Mapped[str] = Column(String(40), nullable=False, default="")
    # Monthly rules (freq MONTHLY): days of the month, "15" or "1,15" or "-1" (the last).
    bymonthday: Mapped[Optional[str]] = Column(String(40))
    opens_at: Mapped[Optional[time]] = Column(Time)
    closes_at: Mapped[Optional[time]] = Column(Time)
    description: Mapped[Optional[str]] = Column(Text)
    notes: Mapped[Optional[str]] = Column(Text)


class TaxonomyTerm(Base):
    __tablename__ = "taxonomy_term"

    id: Mapped[str] = Column(String(36), primary_key=True)
    code: Mapped[Optional[str]] = Column(String(80))
    name: Mapped[str] = Column(Text, nullable=False)
    description: Mapped[str] = Column(Text, nullable=False, default="")
    parent_id: Mapped[Optional[str]] = Column(String(36))
    taxonomy: Mapped[Optional[str]] = Column(Text)
    language: Mapped[Optional[str]] = Column(String(8))
    taxonomy_id: Mapped[Optional[str]] = Column(String(36))
    term_uri: Mapped[Optional[str]] = Column(Text)


class SearchEntry(Base):
    """Spatial index: one row per (category, service at a location), keyed by grid cell.

    Derived from service_category and location; rebuilt by
    ``directory.spatial.reindex`` on every write. It lets a search read only
    the rows of its category in the few cells around the person, on SQLite and
    PostgreSQL alike, instead of scanning the table.
    """

    __tablename__ = "search_entry"
    # Rows of one category and cell sit together on disk: SQLite stores the table in
    # primary-key order, PostgreSQL answers from the index alone.
    __table_args__ = (
        Index("ix_search_entry_covering", "code", "cell", "service_at_location_id",
              postgresql_include=["service_id", "latitude", "longitude"]),
        {"sqlite_with_rowid": False},
    )

    code: Mapped[str] = Column(String(40), primary_key=True)
    cell: Mapped[int] = Column(Integer, primary_key=True)
    service_at_location_id: Mapped[str] = Column(String(36), primary_key=True)
    service_id: Mapped[str] = Column(String(36), nullable=False, index=True)
    latitude: Mapped[float] = Column(Float, nullable=False)
    longitude: Mapped[float] = Column(Float, nullable=False)


class AuditEntry(Base):
    """Who changed what and when, for every provider update, and every refused attempt.

    ``account_id`` is the account that acted (empty for the admin CLI, whose operator
    is named in ``actor``)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = Column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = Column(DateTime, nullable=False)
    actor: Mapped[str] = Column(Text, nullable=False)
    account_id: Mapped[Optional[str]] = Column(String(36), index=True)
    action: Mapped[str] = Column(String(40), nullable=False)
    service_id: Mapped[str] = Column(String(36), nullable=False, index=True)
    old_value: Mapped[Optional[str]] = Column(Text)
    new_value: Mapped[Optional[str]] = Column(Text)


class Account(Base):
    """Someone who may change listings or look things up for others: a provider (one
    organization), a peer worker, or an admin. The token and the one-time link code
    are kept only as SHA-256 digests; both are long random strings, so a digest
    cannot be guessed back."""

    __tablename__ = "account"

    id: Mapped[str] = Column(String(36), primary_key=True)
    role: Mapped[str] = Column(String(16), nullable=False)
    org_id: Mapped[Optional[str]] = Column(String(36), index=True)
    name: Mapped[str] = Column(Text, nullable=False)
    token_digest: Mapped[str] = Column(String(64), nullable=False, unique=True)
    link_code_digest: Mapped[Optional[str]] = Column(String(64), unique=True)
    link_code_expires_at: Mapped[Optional[datetime]] = Column(DateTime)
    created_at: Mapped[datetime] = Column(DateTime, nullable=False)
    revoked_at: Mapped[Optional[datetime]] = Column(DateTime)


class AccountLink(Base):
    """A Telegram chat or SMS number linked to an account, by its pseudonymous sender
    id (the channel's keyed HMAC), never the raw id."""

    __tablename__ = "account_link"

    channel: Mapped[str] = Column(String(16), primary_key=True)
    sender: Mapped[str] = Column(String(64), primary_key=True)
    account_id: Mapped[str] = Column(String(36), nullable=False, index=True)
    linked_at: Mapped[datetime] = Column(DateTime, nullable=False)
    # Where to send a reminder (chat id or number), sealed with a key the database never
    # holds (directory.contact); empty when the channel gave none.
    contact: Mapped[Optional[str]] = Column(Text)
    lang: Mapped[Optional[str]] = Column(String(2))  # the language the link was made in


class AccountNudge(Base):
    """When an account was last reminded to confirm its listings: at most one a week."""

    __tablename__ = "account_nudge"

    account_id: Mapped[str] = Column(String(36), primary_key=True)
    sent_at: Mapped[datetime] = Column(DateTime, nullable=False)


class ServiceImport(Base):
    """When an HSDS import last wrote a service with nothing held back for its provider.

    A later package that gives no date of its own is taken to be as old as this:
    provider changes made since win over it (``directory.hsds.ownership``)."""

    __tablename__ = "service_import"

    service_id: Mapped[str] = Column(String(36), primary_key=True)
    imported_at: Mapped[datetime] = Column(DateTime, nullable=False)


Index("ix_service_category_code", ServiceCategory.code)
