"""`python -m directory accounts …` and the organization in JSON, run as real processes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from directory import accounts
from directory.db import session_scope
from tests.directory.test_cli import cli

pytestmark = pytest.mark.slow


def test_show_and_search_json_name_the_organization(fresh_demo_url: str) -> None:
    rows = json.loads(cli("search", "--category", "shelter", "--near", "ByWard Market",
                          "--json", db=fresh_demo_url).stdout)
    assert rows and all(r["organization_id"] and r["organization"] for r in rows)
    shown = json.loads(cli("show", rows[0]["id"], "--json", db=fresh_demo_url).stdout)
    assert (shown["organization_id"], shown["organization"]) == (rows[0]["organization_id"],
                                                                 rows[0]["organization"])


def test_create_list_and_revoke_an_account(fresh_demo_url: str) -> None:
    org = json.loads(cli("search", "--category", "shelter", "--json",
                         db=fresh_demo_url).stdout)[0]["organization_id"]
    run = cli("accounts", "create", "--role", "provider", "--org", org, "--name", "front desk",
              "--json", db=fresh_demo_url)
    assert run.returncode == 0, run.stderr
    made = json.loads(run.stdout)
    assert set(made) == {"id", "role", "org_id", "name", "token", "link_code",
                         "link_code_expires_at"}
    assert made["role"] == "provider" and made["org_id"] == org and len(made["token"]) >= 40
    expires = datetime.fromisoformat(made["link_code_expires_at"])
    assert timedelta(hours=23) < expires - datetime.now(expires.tzinfo) <= timedelta(hours=24)
    with session_scope(fresh_demo_url) as s:
        assert accounts.by_token(s, made["token"]).org_id == org  # type: ignore[union-attr]

    listed = json.loads(cli("accounts", "list", "--json", db=fresh_demo_url).stdout)
    assert [a["id"] for a in listed] == [made["id"]] and "token" not in listed[0]
    assert cli("accounts", "revoke", made["id"], db=fresh_demo_url).returncode == 0
    with session_scope(fresh_demo_url) as s:
        assert accounts.by_token(s, made["token"]) is None


@pytest.mark.parametrize("args, message", [
    (["accounts", "create", "--role", "provider", "--name", "x"], "needs its organization"),
    (["accounts", "create", "--role", "peer", "--org", "o", "--name", "x"], "takes no organization"),
    (["accounts", "create", "--role", "boss", "--name", "x"], "provider, peer or admin"),
    (["accounts", "revoke", "nobody"], "no account"),
])
def test_account_mistakes_are_one_clear_line(fresh_demo_url: str, args: list[str],
                                             message: str) -> None:
    run = cli(*args, db=fresh_demo_url)
    assert run.returncode != 0 and message in run.stderr and "Traceback" not in run.stderr
