"""Connect the Telegram bot to Waypoint: register the webhook, or poll without one.

    python -m bot.channels.telegram_cli set-webhook   # production: Telegram posts to us
    python -m bot.channels.telegram_cli poll          # local runs: no public URL needed

``poll`` takes updates with ``getUpdates`` and posts each one, unchanged and
with the webhook secret, to the local Rasa server's Telegram webhook, so a
local run goes through exactly the code production uses. The token is never
printed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import warnings
from typing import Any

import httpx
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.warnings import PTBUserWarning

import settings
from bot.channels.telegram import SECRET_HEADER, make_bot, quiet_http_logs

ALLOWED_UPDATES = ["message", "callback_query"]
WEBHOOK_PATH = "/webhooks/telegram/webhook"
DEFAULT_FORWARD = f"http://127.0.0.1:5005{WEBHOOK_PATH}"
POLL_SECONDS = 25
RETRY_SECONDS = 2.0


def required(name: str, why: str) -> str:
    """A setting's value; unset (or invalid), exit with a message that says which and why."""
    try:
        current = settings.load()
    except settings.SettingsError as exc:
        raise SystemExit(f"error: {exc}") from None
    value = {"WAYPOINT_TELEGRAM_TOKEN": current.telegram_token,
             "WAYPOINT_TELEGRAM_SECRET": current.telegram_secret,
             "WAYPOINT_PUBLIC_URL": current.public_url}[name]
    if not value:
        raise SystemExit(f"error: set {name} ({why})")
    return value


def api_url() -> str:
    return settings.load().telegram_api_url


async def set_webhook() -> str:
    """Register ``$WAYPOINT_PUBLIC_URL/webhooks/telegram/webhook`` with the secret."""
    token = required("WAYPOINT_TELEGRAM_TOKEN", "the bot token from @BotFather")
    secret = required("WAYPOINT_TELEGRAM_SECRET",
                      "the webhook secret: 1-256 of A-Z a-z 0-9 _ -, e.g. `openssl rand -hex 32`")
    public = required("WAYPOINT_PUBLIC_URL", "the https address where Telegram reaches Rasa")
    url = f"{public.rstrip('/')}{WEBHOOK_PATH}"
    async with make_bot(token, api_url()) as bot:
        await bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
    return f"webhook set: {url} (updates: {', '.join(ALLOWED_UPDATES)}; secret header on)"


async def forward(client: httpx.AsyncClient, target: str, secret: str,
                  update: dict[str, Any]) -> bool:
    """Post one update to the webhook. True once it is delivered (or can never be)."""
    try:
        reply = await client.post(target, json=update, headers={SECRET_HEADER: secret})
    except httpx.HTTPError as exc:
        print(f"cannot reach {target} ({exc.__class__.__name__}); is Rasa running "
              "(make serve)? retrying", file=sys.stderr)
        return False
    if reply.status_code == 403:
        raise SystemExit("error: the Rasa server refused the secret: start it with the same "
                         "WAYPOINT_TELEGRAM_SECRET")
    if reply.status_code == 404:
        raise SystemExit("error: the Rasa server's Telegram channel is off: start it with "
                         "WAYPOINT_TELEGRAM_TOKEN, WAYPOINT_TELEGRAM_SECRET and "
                         "WAYPOINT_HMAC_SECRET set, and bot.channels.telegram.TelegramInput "
                         "in credentials.yml")
    return reply.status_code < 500


async def poll(target: str) -> None:
    """Drop the webhook, then long-poll and forward updates until interrupted."""
    token = required("WAYPOINT_TELEGRAM_TOKEN", "the bot token from @BotFather")
    secret = required("WAYPOINT_TELEGRAM_SECRET", "the same secret the Rasa server has")
    offset = 0
    # The raw getUpdates is deliberate (the webhook must get Telegram's exact JSON);
    # PTB would warn about it on every poll.
    warnings.filterwarnings("ignore", message=".*do_api_request", category=PTBUserWarning)
    async with make_bot(token, api_url()) as bot, httpx.AsyncClient(timeout=15) as client:
        await bot.delete_webhook()
        print(f"polling Telegram; forwarding updates to {target} (Ctrl-C stops)", flush=True)
        while True:
            try:
                # Raw JSON, not Update objects: the webhook gets exactly what Telegram sent.
                updates = await bot.do_api_request(
                    "getUpdates", api_kwargs={"offset": offset, "timeout": POLL_SECONDS,
                                              "allowed_updates": ALLOWED_UPDATES},
                    read_timeout=POLL_SECONDS + 10)
            except NetworkError as exc:
                print(f"Telegram unreachable ({exc.__class__.__name__}); retrying", file=sys.stderr)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            for update in updates or []:
                while not await forward(client, target, secret, update):
                    await asyncio.sleep(RETRY_SECONDS)
                offset = int(update["update_id"]) + 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.channels.telegram_cli",
                                     description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("set-webhook", help="register the Rasa server's webhook with Telegram "
                        "(needs WAYPOINT_PUBLIC_URL)")
    polling = commands.add_parser("poll", help="no public URL: poll Telegram and forward updates "
                                  "to the local Rasa webhook")
    polling.add_argument("--webhook", default=DEFAULT_FORWARD,
                         help=f"the Rasa server's Telegram webhook (default {DEFAULT_FORWARD})")
    args = parser.parse_args(argv)
    quiet_http_logs()
    try:
        if args.command == "set-webhook":
            print(asyncio.run(set_webhook()))
        else:
            asyncio.run(poll(args.webhook))
    except KeyboardInterrupt:
        print("stopped")
    except InvalidToken:
        raise SystemExit("error: Telegram rejected WAYPOINT_TELEGRAM_TOKEN")
    except TelegramError as exc:
        raise SystemExit(f"error: Telegram said: {exc.message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
