"""Every setting Waypoint takes from the environment, read and checked in one place.

Secrets come only from the environment, and a newcomer should find every knob here:
``SETTINGS`` lists each variable with what it does and its default (the README's
configuration table is generated from it: ``python -m settings``), and :func:`load`
reads them into one typed, frozen :class:`Settings` that entry points pass down.
A value that is set but wrong stops the process with an error naming the variable,
at start-up, instead of failing a person mid-conversation later; an unset channel
secret only turns that channel off.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Mapping

MIN_SECRET_LENGTH = 16
DEFAULT_DATABASE_URL = "sqlite:///waypoint.db"
DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org"
DEFAULT_TWILIO_API_URL = "https://api.twilio.com"
SMS_REPLY_MODES = ("twiml", "rest")


@dataclass(frozen=True)
class Variable:
    """One environment variable: its name, what it does, its default, who reads it."""

    name: str
    meaning: str
    default: str
    read_by: str = "settings"  # "settings", or the file that reads it instead (Makefile…)


SETTINGS: tuple[Variable, ...] = (
    Variable("WAYPOINT_DATABASE_URL", "directory database (and SMS opt-outs)",
             f"`{DEFAULT_DATABASE_URL}`"),
    Variable("WAYPOINT_HMAC_SECRET", "key for the pseudonymous sender ids of SMS and "
             f"Telegram (at least {MIN_SECRET_LENGTH} characters)", "unset: both channels off"),
    Variable("WAYPOINT_PUBLIC_URL", "the public base URL Twilio and Telegram call "
             "(SMS signature checks, Telegram webhook)", "unset: SMS off"),
    Variable("WAYPOINT_TWILIO_AUTH_TOKEN", "SMS: the Twilio auth token", "unset: SMS off"),
    Variable("WAYPOINT_SMS_REPLY", "`twiml` (reply in the webhook's answer) or `rest` "
             "(reply through the Messages API)", "`twiml`"),
    Variable("WAYPOINT_TWILIO_ACCOUNT_SID", "SMS `rest` mode: the Twilio account", "unset"),
    Variable("WAYPOINT_TWILIO_API_URL", "SMS `rest` mode: the API base URL (a stand-in in "
             "tests)", f"`{DEFAULT_TWILIO_API_URL}`"),
    Variable("WAYPOINT_TELEGRAM_TOKEN", "Telegram: the bot token", "unset: Telegram off"),
    Variable("WAYPOINT_TELEGRAM_SECRET", "Telegram: the webhook secret token",
             "unset: Telegram off"),
    Variable("WAYPOINT_TELEGRAM_API_URL", "the Bot API base URL (a local stand-in in tests)",
             f"`{DEFAULT_TELEGRAM_API_URL}`"),
    Variable("WAYPOINT_REDIS_HOST", "Redis for the channels' short-lived state (database 2), "
             "shared by several Rasa servers; also filled into `endpoints.scale.yml`",
             "unset: in memory"),
    Variable("WAYPOINT_REDIS_PORT", "its port", "`6379`"),
    Variable("WAYPOINT_BEDS_FRESH_HOURS", "a bed count older than this many hours is said as "
             "\"unknown, call ahead\"", "`6`"),
    Variable("WAYPOINT_RASA_TOKEN", "enables Rasa's HTTP API with this token", "unset: API off",
             read_by="Makefile"),
    Variable("WAYPOINT_PYTHON", "a Python 3.10 to build `.venv` with", "found automatically",
             read_by="scripts/find-python.sh"),
    Variable("WAYPOINT_ACTION_URL", "the action server's URL", "none",
             read_by="endpoints.scale.yml"),
    Variable("WAYPOINT_TRACKER_DB_HOST", "PostgreSQL host of the tracker store", "none",
             read_by="endpoints.scale.yml"),
    Variable("WAYPOINT_TRACKER_DB", "its database", "none", read_by="endpoints.scale.yml"),
    Variable("WAYPOINT_TRACKER_DB_USER", "its user", "none", read_by="endpoints.scale.yml"),
    Variable("WAYPOINT_TRACKER_DB_PASSWORD", "its password", "none",
             read_by="endpoints.scale.yml"),
    Variable("WAYPOINT_TEST_POSTGRES_URL", "server for the PostgreSQL tests and benchmarks",
             "`postgresql://postgres@127.0.0.1:5432/test`", read_by="tests/conftest.py"),
    Variable("WAYPOINT_REQUIRE_SERVICES", "`1` turns a skipped PostgreSQL or Redis test into a "
             "failure (set by `.ci/run`)", "unset", read_by="tests/conftest.py"),
)


class SettingsError(ValueError):
    """A variable is set to a value Waypoint cannot use; the message names it."""


@dataclass(frozen=True)
class Settings:
    """What the servers and the CLI need to know about their environment."""

    database_url: str = DEFAULT_DATABASE_URL
    hmac_secret: bytes | None = None
    public_url: str = ""
    twilio_auth_token: str = ""
    sms_reply: str = "twiml"
    twilio_account_sid: str = ""
    twilio_api_url: str = DEFAULT_TWILIO_API_URL
    telegram_token: str = ""
    telegram_secret: str = ""
    telegram_api_url: str = DEFAULT_TELEGRAM_API_URL
    redis_host: str = ""
    redis_port: int = 6379
    beds_fresh_hours: float = 6.0

    def missing_for_sms(self) -> list[str]:
        """The variables still unset that the SMS channel needs (empty: it can start)."""
        return [name for name, value in (("WAYPOINT_TWILIO_AUTH_TOKEN", self.twilio_auth_token),
                                         ("WAYPOINT_PUBLIC_URL", self.public_url),
                                         ("WAYPOINT_HMAC_SECRET", self.hmac_secret)) if not value]

    def missing_for_telegram(self) -> list[str]:
        """The variables still unset that the Telegram channel needs."""
        return [name for name, value in (("WAYPOINT_TELEGRAM_TOKEN", self.telegram_token),
                                         ("WAYPOINT_TELEGRAM_SECRET", self.telegram_secret),
                                         ("WAYPOINT_HMAC_SECRET", self.hmac_secret)) if not value]


def load(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and check every setting; :class:`SettingsError` names the first bad one."""
    env = os.environ if environ is None else environ

    def text(name: str, default: str = "") -> str:
        return env.get(name, "").strip() or default

    secret = text("WAYPOINT_HMAC_SECRET")
    if secret and len(secret) < MIN_SECRET_LENGTH:
        raise SettingsError(
            f"WAYPOINT_HMAC_SECRET is {len(secret)} characters; use a random string of at "
            f"least {MIN_SECRET_LENGTH} (e.g. `openssl rand -hex 32`), or unset it to turn "
            "the SMS and Telegram channels off")
    mode = text("WAYPOINT_SMS_REPLY", "twiml").lower()
    if mode not in SMS_REPLY_MODES:
        raise SettingsError(f"WAYPOINT_SMS_REPLY must be one of {', '.join(SMS_REPLY_MODES)}, "
                            f"not {mode!r}")
    sid = text("WAYPOINT_TWILIO_ACCOUNT_SID")
    if mode == "rest" and not sid:
        raise SettingsError("WAYPOINT_SMS_REPLY=rest needs WAYPOINT_TWILIO_ACCOUNT_SID")
    port_text = text("WAYPOINT_REDIS_PORT", "6379")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SettingsError(f"WAYPOINT_REDIS_PORT must be a port number, not {port_text!r}")
    hours_text = text("WAYPOINT_BEDS_FRESH_HOURS", "6")
    try:
        beds_hours = float(hours_text)
    except ValueError:
        beds_hours = -1.0
    if not 0 < beds_hours <= 72:
        raise SettingsError("WAYPOINT_BEDS_FRESH_HOURS must be a number of hours between 0 "
                            f"and 72, not {hours_text!r}")
    urls = {name: text(name, default) for name, default in (
        ("WAYPOINT_DATABASE_URL", DEFAULT_DATABASE_URL), ("WAYPOINT_PUBLIC_URL", ""),
        ("WAYPOINT_TWILIO_API_URL", DEFAULT_TWILIO_API_URL),
        ("WAYPOINT_TELEGRAM_API_URL", DEFAULT_TELEGRAM_API_URL))}
    for name, value in urls.items():
        if value and "://" not in value:
            raise SettingsError(f"{name} must be a URL such as scheme://host/…, not {value!r}")
    return Settings(
        database_url=urls["WAYPOINT_DATABASE_URL"],
        hmac_secret=secret.encode("utf-8") if secret else None,
        public_url=urls["WAYPOINT_PUBLIC_URL"].rstrip("/"),
        twilio_auth_token=text("WAYPOINT_TWILIO_AUTH_TOKEN"),
        sms_reply=mode,
        twilio_account_sid=sid,
        twilio_api_url=urls["WAYPOINT_TWILIO_API_URL"].rstrip("/"),
        telegram_token=text("WAYPOINT_TELEGRAM_TOKEN"),
        telegram_secret=text("WAYPOINT_TELEGRAM_SECRET"),
        telegram_api_url=urls["WAYPOINT_TELEGRAM_API_URL"].rstrip("/"),
        redis_host=text("WAYPOINT_REDIS_HOST"),
        redis_port=int(port_text),
        beds_fresh_hours=beds_hours,
    )


def markdown_table() -> str:
    """The README's configuration table, generated from :data:`SETTINGS`."""
    rows = ["| variable | what it does | default |", "|---|---|---|"]
    for variable in SETTINGS:
        where = "" if variable.read_by == "settings" else f" (read by `{variable.read_by}`)"
        rows.append(f"| `{variable.name}` | {variable.meaning}{where} | {variable.default} |")
    return "\n".join(rows)


def main() -> int:
    """Print the configuration table, or with ``--check`` check this environment."""
    if "--check" in sys.argv[1:]:
        try:
            load()
        except SettingsError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print("settings: ok")
        return 0
    print(markdown_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
