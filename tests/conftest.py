"""Shared fixtures (fresh databases on SQLite and on a real PostgreSQL) and the quick layer.

PostgreSQL tests use databases of their own, created for this run and dropped
at the end. Where PostgreSQL is unreachable they skip with the reason, except
when ``WAYPOINT_REQUIRE_SERVICES=1`` (set by ``.ci/run``): then they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from directory.db import get_engine, session_scope, upgrade
from directory.demo import load_demo

PG_URL = os.environ.get("WAYPOINT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE = os.environ.get("WAYPOINT_REQUIRE_SERVICES") == "1"
# Marks of tests that the quick layer leaves out (see pyproject.toml).
NOT_QUICK = ("model", "slow")
BACKENDS = ["sqlite", "postgresql"]
SHARED = Path(__file__).resolve().parents[2] / "shared"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark ``quick`` each test that needs no trained model, no process of its own, none of
    Rasa's loaders and no PostgreSQL, so ``pytest -m quick`` (``make quick``) runs the
    directory, the channels' parts, the safety net and the actions on SQLite alone."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = "pg_url" in getattr(item, "fixturenames", ()) or (
            callspec is not None and "postgresql" in callspec.params.values())
        if not on_postgres and not any(item.get_closest_marker(m) for m in NOT_QUICK):
            item.add_marker(pytest.mark.quick)


def unavailable(reason: str) -> None:
    """Skip locally; fail in CI, where every back-end must really run."""
    if REQUIRE:
        pytest.fail(f"{reason} (WAYPOINT_REQUIRE_SERVICES=1 turns this skip into a failure)")
    pytest.skip(reason)


class PostgresDatabases:
    """Creates and drops throw-away databases on the test server."""

    def __init__(self, admin_url: str) -> None:
        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
        self.base = make_url(admin_url)
        self.created: list[str] = []
        self.error: str | None = None
        try:
            with self.admin.connect() as conn:
                conn.execute(text("select 1"))
        except Exception as exc:  # any driver error means "not reachable"
            self.error = f"PostgreSQL not reachable at {admin_url}: {exc.__class__.__name__}"

    def create(self) -> str:
        name = f"waypoint_t_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return str(self.base.set(database=name))

    def drop_all(self) -> None:
        for name in self.created:
            url = str(self.base.set(database=name))
            if url in _ENGINES_USED:
                get_engine(url).dispose()
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


_ENGINES_USED: set[str] = set()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabases]:
    dbs = PostgresDatabases(PG_URL)
    yield dbs
    if dbs.error is None:
        dbs.drop_all()


def _new_database(backend: str, postgres: PostgresDatabases, folder: Path) -> str:
    if backend == "sqlite":
        url = f"sqlite:///{folder / f'{uuid.uuid4().hex[:8]}.db'}"
    else:
        if postgres.error:
            unavailable(postgres.error)
        url = postgres.create()
    _ENGINES_USED.add(url)
    upgrade(url)
    return url


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, postgres: PostgresDatabases, tmp_path: Path) -> str:
    """A fresh, migrated, empty database on each back-end."""
    return _new_database(request.param, postgres, tmp_path)


@pytest.fixture(scope="session")
def demo_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo directory in a SQLite file, built once per run (it takes about 2 s)."""
    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    with session_scope(url) as session:
        load_demo(session)
    get_engine(url).dispose()
    return path


def _demo_copy(template: Path, folder: Path) -> str:
    """A SQLite copy of the demo template, of its own (a file copy, not a 2 s load)."""
    copy = folder / f"{uuid.uuid4().hex[:8]}-demo.db"
    shutil.copyfile(template, copy)
    url = f"sqlite:///{copy}"
    _ENGINES_USED.add(url)
    return url


def _demo_database(backend: str, postgres: PostgresDatabases, template: Path, folder: Path) -> str:
    """A database of its own holding the demo directory: a copy of the template on SQLite."""
    if backend == "sqlite":
        return _demo_copy(template, folder)
    url = _new_database(backend, postgres, folder)
    with session_scope(url) as session:
        load_demo(session)
    return url


@pytest.fixture(scope="session", params=BACKENDS)
def demo_url(request: pytest.FixtureRequest, postgres: PostgresDatabases, demo_sqlite_file: Path,
             tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database holding the demo directory, shared by read-only tests."""
    return _demo_database(request.param, postgres, demo_sqlite_file,
                          tmp_path_factory.mktemp("demo"))


@pytest.fixture(params=BACKENDS)
def fresh_demo_url(request: pytest.FixtureRequest, postgres: PostgresDatabases,
                   demo_sqlite_file: Path, tmp_path: Path) -> str:
    """A demo directory of this test's own on each back-end, so the test may change it."""
    return _demo_database(request.param, postgres, demo_sqlite_file, tmp_path)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh migrated SQLite database, for tests about one back-end's behaviour."""
    url = f"sqlite:///{tmp_path / 'one.db'}"
    upgrade(url)
    return url


@pytest.fixture
def pg_url(postgres: PostgresDatabases, tmp_path: Path) -> str:
    """A fresh, migrated PostgreSQL database, for behaviour only a server shows."""
    return _new_database("postgresql", postgres, tmp_path)


@pytest.fixture
def demo_sqlite(demo_sqlite_file: Path, tmp_path: Path) -> str:
    """A copy of the demo directory of this test's own, so a test may change it freely."""
    return _demo_copy(demo_sqlite_file, tmp_path)


CHROMIUM = ("chromium", "/usr/bin/chromium")
CHROMEDRIVER = ("chromedriver", "/usr/bin/chromedriver")


@pytest.fixture
def chrome() -> Iterator[object]:
    """A headless Chromium the size of a phone, driven by Selenium (Debian's ``chromium``
    and ``chromium-driver``). Skips without them, except in CI (``unavailable``)."""
    binary = shutil.which(CHROMIUM[0]) or (CHROMIUM[1] if Path(CHROMIUM[1]).exists() else None)
    driver = shutil.which(CHROMEDRIVER[0]) or (
        CHROMEDRIVER[1] if Path(CHROMEDRIVER[1]).exists() else None)
    if binary is None or driver is None:
        unavailable("no chromium or chromedriver: apt-get install chromium chromium-driver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service as DriverService
    except ImportError:
        unavailable("selenium is not installed (pip install -r requirements.lock)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(binary)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=412,1400", "--lang=en"):
        options.add_argument(argument)
    browser = webdriver.Chrome(options=options, service=DriverService(executable_path=str(driver)))
    browser.set_page_load_timeout(30)
    browser.implicitly_wait(5)  # an element of the next page may take a moment to appear
    try:
        yield browser
    finally:
        browser.quit()
