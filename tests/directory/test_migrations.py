"""The schema comes from migrations, matches the models, and upgrades in place."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from directory.db import get_engine, session_scope, upgrade
from directory.models import Base, Service
from tests.directory.builders import add_service


def test_migrations_match_the_models(db_url: str) -> None:
    with get_engine(db_url).connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_upgrading_again_keeps_the_data(db_url: str) -> None:
    with session_scope(db_url) as s:
        add_service(s, "meals")
    upgrade(db_url)
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(Service)) == 1
