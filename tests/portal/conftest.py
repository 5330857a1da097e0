"""Fixtures of the web page's tests: the app (API and pages) over a fresh demo directory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.server import Api, world


@pytest.fixture
def site(fresh_demo_url: str) -> Iterator[Api]:
    server = Api(fresh_demo_url)
    yield server
    server.stop()


@pytest.fixture
def people(fresh_demo_url: str) -> dict[str, Any]:
    return world(fresh_demo_url)
