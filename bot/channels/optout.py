"""SMS opt-outs (STOP / ARRET), kept durably until the person texts START.

Carrier rules say a number that texted STOP gets nothing more until it opts
back in, and that promise must survive a restart, so opt-outs live in SQL (the
database named by ``WAYPOINT_DATABASE_URL``, in a table of their own), keyed
by the pseudonymous sender id. A row is deleted when the person opts back in:
that is its retention limit.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from sqlalchemy import Column, DateTime, MetaData, String, Table, create_engine, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

metadata = MetaData()
opt_outs = Table(
    "sms_opt_out", metadata,
    Column("sender", String(64), primary_key=True),  # HMAC-SHA256 hex, never a number
    Column("opted_out_at", DateTime(timezone=True), nullable=False),
)


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    engine = create_engine(url, future=True, pool_pre_ping=True)
    metadata.create_all(engine, checkfirst=True)
    return engine


class OptOuts:
    """Who has opted out, in the given database (the directory's: ``Settings.database_url``)."""

    def __init__(self, url: str) -> None:
        self.engine = engine_for(url)

    def is_opted_out(self, sender: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(opt_outs.c.sender).where(opt_outs.c.sender == sender)
                                ).first() is not None

    def opt_out(self, sender: str) -> None:
        if self.is_opted_out(sender):
            return
        try:
            with self.engine.begin() as conn:
                conn.execute(opt_outs.insert().values(
                    sender=sender, opted_out_at=dt.datetime.now(dt.timezone.utc)))
        except IntegrityError:  # the same STOP, delivered twice at once
            pass

    def opt_in(self, sender: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(opt_outs).where(opt_outs.c.sender == sender))
