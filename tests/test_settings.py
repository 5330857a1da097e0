"""The settings: one reader of the environment, checked at start, documented in the README."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import settings
from settings import SETTINGS, Settings, SettingsError, load, markdown_table

ROOT = Path(__file__).resolve().parents[1]
SECRET = "k" * 32


def test_nothing_set_gives_the_embedded_defaults() -> None:
    current = load({})
    assert current == Settings()
    assert current.database_url == "sqlite:///waypoint.db" and current.hmac_secret is None
    assert current.missing_for_sms() == ["WAYPOINT_TWILIO_AUTH_TOKEN", "WAYPOINT_PUBLIC_URL",
                                         "WAYPOINT_HMAC_SECRET"]
    assert current.missing_for_telegram() == ["WAYPOINT_TELEGRAM_TOKEN",
                                              "WAYPOINT_TELEGRAM_SECRET", "WAYPOINT_HMAC_SECRET"]


def test_values_are_read_typed_and_trimmed() -> None:
    current = load({"WAYPOINT_DATABASE_URL": "postgresql://u@h/db",
                    "WAYPOINT_HMAC_SECRET": f" {SECRET} ", "WAYPOINT_PUBLIC_URL": "https://x.org/",
                    "WAYPOINT_TWILIO_AUTH_TOKEN": "tok", "WAYPOINT_SMS_REPLY": "REST",
                    "WAYPOINT_TWILIO_ACCOUNT_SID": "AC1", "WAYPOINT_REDIS_HOST": "redis",
                    "WAYPOINT_REDIS_PORT": "6380", "WAYPOINT_TELEGRAM_TOKEN": "1:a",
                    "WAYPOINT_TELEGRAM_SECRET": "s"})
    assert current.database_url == "postgresql://u@h/db"
    assert current.hmac_secret == SECRET.encode() and current.public_url == "https://x.org"
    assert current.sms_reply == "rest" and current.redis_port == 6380
    assert current.missing_for_sms() == [] and current.missing_for_telegram() == []


@pytest.mark.parametrize("environ,named", [
    ({"WAYPOINT_HMAC_SECRET": "short"}, "WAYPOINT_HMAC_SECRET"),
    ({"WAYPOINT_SMS_REPLY": "email"}, "WAYPOINT_SMS_REPLY"),
    ({"WAYPOINT_SMS_REPLY": "rest"}, "WAYPOINT_TWILIO_ACCOUNT_SID"),
    ({"WAYPOINT_REDIS_PORT": "six"}, "WAYPOINT_REDIS_PORT"),
    ({"WAYPOINT_REDIS_PORT": "70000"}, "WAYPOINT_REDIS_PORT"),
    ({"WAYPOINT_DATABASE_URL": "waypoint.db"}, "WAYPOINT_DATABASE_URL"),
    ({"WAYPOINT_PUBLIC_URL": "waypoint.example.org"}, "WAYPOINT_PUBLIC_URL"),
    ({"WAYPOINT_TELEGRAM_API_URL": "localhost:8081"}, "WAYPOINT_TELEGRAM_API_URL"),
])
def test_a_bad_value_is_an_error_naming_the_variable(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load(environ)


def test_the_check_command_reports_a_bad_value(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.argv", ["settings", "--check"])
    monkeypatch.setenv("WAYPOINT_REDIS_PORT", "abc")
    assert settings.main() == 2
    assert "WAYPOINT_REDIS_PORT" in capsys.readouterr().err
    monkeypatch.delenv("WAYPOINT_REDIS_PORT")
    assert settings.main() == 0


def test_the_readme_table_is_the_generated_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme, "run `python -m settings` and paste its table in README.md"


def test_every_variable_read_by_settings_is_documented_and_the_reverse() -> None:
    source = (ROOT / "settings.py").read_text(encoding="utf-8")
    body = source[source.index("def load("):source.index("def markdown_table(")]
    read = set(re.findall(r'"(WAYPOINT_[A-Z_]+)"', body))
    documented = {v.name for v in SETTINGS if v.read_by == "settings"}
    assert read == documented


def test_no_other_module_reads_the_environment() -> None:
    """``os.environ`` / ``os.getenv`` only in ``settings.py`` among the running code
    (scripts and benchmarks that start subprocesses pass an environment on; they
    are not the running code)."""
    offenders = []
    for package in ("actions", "bot", "conversation", "directory", "safety", "words"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders
