"""The channels' building blocks: identity, rendering, state and opt-outs, in both languages."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from bot.channels import identity, render, state
from bot.channels.optout import OptOuts
from bot.channels.providers import DeskReply, link_request, provider_command
from bot.channels.sms import keyword
from conversation.sms import is_gsm7, sms_segments
from safety.replies import say as text
from tests.conftest import unavailable


def item(n: int, lang: str = "en", **extra: Any) -> dict[str, Any]:
    return {"id": f"s{n}", "name": f"Shelter number {n}", "opening_state": "open 24/7" if lang == "en"
            else "ouvert 24 h sur 24", "distance_km": 0.4 * n, "where": f"{100 + n} Murray St",
            "phone": f"613-555-01{n:02d}", "lat": 45.42, "lon": -75.69,
            "verified": "verified Nov 12" if lang == "en" else "vérifié le 12 nov.", **extra}


def results(lang: str, count: int = 3, **extra: Any) -> dict[str, Any]:
    return {"text": "pre-rendered", "custom": {"waypoint": {
        "type": "results", "lang": lang, "items": [item(n, lang, **extra) for n in range(1, count + 1)]}}}


def test_sender_id_is_a_keyed_hash_never_the_number() -> None:
    key = b"s" * 32
    hashed = identity.sender_id("sms", "+16135550123", key)
    assert len(hashed) == 64 and "6135550123" not in hashed
    assert hashed == identity.sender_id("sms", "+16135550123", key)
    assert hashed != identity.sender_id("telegram", "+16135550123", key)
    assert hashed != identity.sender_id("sms", "+16135550123", b"t" * 32)


def test_sender_id_without_a_key_is_refused() -> None:
    with pytest.raises(ValueError, match="WAYPOINT_HMAC_SECRET"):
        identity.sender_id("sms", "+16135550123", b"")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_sms_results_fit_three_segments_with_verified_dates_and_choices(lang: str) -> None:
    reply, choices = render.sms([results(lang)])
    assert sms_segments(reply) <= 3
    assert reply.count("- Shelter number") == 3
    assert ("verified Nov 12" if lang == "en" else "le 12 nov.") in reply
    assert [c.action for c in choices] == ["more", "area", "open_now"]
    assert reply.endswith("Reply 1 more, 2 another area, 3 open now only." if lang == "en"
                          else "Répondez 1 plus, 2 autre secteur, 3 ouvert maintenant.")


def test_sms_keeps_accents_when_they_fit_and_folds_them_when_they_do_not() -> None:
    short, _ = render.sms([{"text": "Où êtes-vous?"}])
    assert short == "Où êtes-vous?" and not is_gsm7(short)
    long_french = "Hébergement à côté de la fenêtre, forêt, île " * 6
    folded, _ = render.sms([{"text": long_french.strip()}])
    assert is_gsm7(folded) and "fenetre" in folded and "é" in folded
    assert sms_segments(folded) <= 3


def test_sms_drops_listings_then_extra_messages_to_fit() -> None:
    long_name = {"name": "A very long shelter name that goes on and on " * 2}
    reply, _ = render.sms([results("en", **long_name), {"text": "When you're ready, more help."}])
    assert sms_segments(reply) <= 3
    assert 1 <= reply.count("- A very long") < 3
    huge, _ = render.sms([{"text": "word " * 500}])
    assert sms_segments(huge) <= 3 and huge.endswith("...")


def test_sms_buttons_become_numbered_choices() -> None:
    message = {"text": "What do you need today?",
               "buttons": [{"title": "A bed tonight", "payload": "I need a bed tonight"},
                           {"title": "Food", "payload": "I need food"}]}
    reply, choices = render.sms([message])
    assert reply == "What do you need today?\nReply 1 a bed tonight, 2 food."
    assert [c.action for c in choices] == ["say:I need a bed tonight", "say:I need food"]


def test_fold_gsm7_reads_the_same() -> None:
    assert render.fold_gsm7("prêt·e, l’île, «cœur», ça") == 'pret-e, l\'ile, "coeur", ca'
    assert render.fold_gsm7("café à Hull") == "café à Hull"  # GSM-7 has é and à
    assert render.fold_gsm7("😀") == "😀"


def test_telegram_cards_escape_html_and_offer_buttons() -> None:
    [card] = render.telegram([results("fr", name="<b>Chez Marie & Co</b>")])
    assert "&lt;b&gt;Chez Marie &amp; Co&lt;/b&gt;" in card.html
    assert "<i>vérifié le 12 nov.</i>" in card.html
    actions = [c.action for row in card.rows for c in row]
    assert actions[:3] == ["map:0", "map:1", "map:2"]
    assert {"call:0", "more", "open_now", "area"} <= set(actions)
    assert "Carte 1" in card.rows[0][0].label


def test_telegram_safe_shelter_has_no_map_button() -> None:
    [card] = render.telegram([results("en", count=1, lat=None, lon=None)])
    assert not any(c.action.startswith("map:") for row in card.rows for c in row)


def test_telegram_splits_long_replies_at_the_limit() -> None:
    body = "\n".join(f"line {n} " + "x" * 90 for n in range(120))
    pieces = render.telegram([{"text": body}])
    assert len(pieces) > 1
    assert all(len(p.html) <= render.TELEGRAM_LIMIT for p in pieces)
    assert "".join(p.html.replace("\n", "") for p in pieces) == body.replace("\n", "")


@pytest.mark.parametrize("body,word", [("STOP", "STOP"), (" arrêt ", "ARRET"), ("Aide.", "AIDE"),
                                       ("info", "INFO"), ("start", "START"), ("stop it", None),
                                       ("help me find a bed", None)])
def test_carrier_keywords_are_whole_messages(body: str, word: str | None) -> None:
    assert keyword(body) == word


@pytest.mark.parametrize("name", ["sms_help", "sms_stop", "sms_start"])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_keyword_replies_fit_160_characters(name: str, lang: str) -> None:
    reply = text(name, lang)
    assert len(reply) <= 160 and is_gsm7(reply) and sms_segments(reply) == 1


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_memory_state_dedups_limits_and_expires() -> None:
    clock = Clock()
    memory = state.MemoryState(limit=3, window=60, clock=clock)
    assert memory.first_delivery("sms:SM1") and not memory.first_delivery("sms:SM1")
    assert [memory.allow("a") for _ in range(4)] == [True, True, True, False]
    assert memory.allow("b")
    clock.now += 61
    assert memory.allow("a")
    memory.remember("a", "choices", {"actions": ["more"]})
    assert memory.recall("a", "choices") == {"actions": ["more"]}
    memory.forget("a")
    assert memory.recall("a", "choices") is None
    memory.remember("b", "choices", [1])
    clock.now += state.CHOICES_SECONDS + 1
    assert memory.recall("b", "choices") is None


def test_redis_state_is_shared_between_processes() -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable(f"Redis not reachable at 127.0.0.1:6379: {exc.__class__.__name__}")
    prefix = f"waypoint:test:{uuid.uuid4().hex}:"
    one, two = state.RedisState(client, limit=2, prefix=prefix), state.RedisState(client, limit=2,
                                                                                 prefix=prefix)
    try:
        assert one.first_delivery("telegram:1") and not two.first_delivery("telegram:1")
        assert one.allow("s") and two.allow("s") and not one.allow("s")
        one.remember("s", "results", [{"id": "x"}])
        assert two.recall("s", "results") == [{"id": "x"}]
        two.forget("s")
        assert one.recall("s", "results") is None
    finally:
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)


def test_opt_outs_are_durable_and_reversible(db_url: str) -> None:
    sender = identity.sender_id("sms", "+16135550199", b"k" * 32)
    first = OptOuts(db_url)
    assert not first.is_opted_out(sender)
    first.opt_out(sender)
    first.opt_out(sender)  # twice is harmless
    assert OptOuts(db_url).is_opted_out(sender)  # a restart still knows
    OptOuts(db_url).opt_in(sender)
    assert not first.is_opted_out(sender)


def test_every_domain_button_fits_in_a_telegram_button() -> None:
    """Telegram refuses callback data over 64 bytes, and render.telegram drops such a
    button: a menu choice would vanish without a word."""
    from pathlib import Path

    import yaml

    domain = Path(__file__).resolve().parents[2] / "domain" / "responses.yml"
    responses = yaml.safe_load(domain.read_text(encoding="utf-8"))
    buttons = [b for variations in responses["responses"].values() for v in variations
               for b in v.get("buttons", [])]
    assert len(buttons) >= 14
    for button in buttons:
        choice = render.button_choices({"buttons": [button]})[0]
        assert len(choice.action.encode("utf-8")) <= render.CALLBACK_BYTES, button


@pytest.mark.parametrize("body, asks", [
    ("/link ABCD2345", ("en", "ABCD2345")), ("/lier abcd-2345", ("fr", "ABCD2345")),
    ("/link@waypoint_bot ABCD2345", ("en", "ABCD2345")), ("/LIER", ("fr", "")),
    ("/link not a code at all", ("en", "NOTACODEATALL")),  # refused as a code, never passed on
    ("LINK abcd 2345", ("en", "ABCD2345")), ("lier ABCD2345", ("fr", "ABCD2345")),
    ("link ABC2345", ("en", "ABC2345")),  # a digit short: still a code, refused as one
    ("link me to a shelter", None), ("link please", None), ("LINK", None),
    ("I need a link", None), ("linked ABCD2345", None),
])
def test_a_link_request_is_the_slash_form_or_the_keyword_and_one_code(
        body: str, asks: tuple[str, str] | None) -> None:
    assert link_request(body) == asks


@pytest.mark.parametrize("body, command", [
    ("BEDS 3/40", True), ("lits 3", True), ("OK", True), ("état", True), ("UNDO", True),
    ("BEDS", True), ("CLOSED TODAY", True), ("BEDS -1", True), ("HOURS MO-FR 9-5", True),
    ("fermé 24-12 au 26-12 vacances", True),
    ("ok thanks", False), ("open now", False), ("hours of the mission", False),
    ("beds near Vanier", False), ("I need a shower", False), ("2", False), ("", False),
])
def test_a_command_is_what_the_parser_reads_as_one(body: str, command: bool) -> None:
    assert provider_command(body) is command


def test_which_service_is_a_button_on_telegram_and_numbered_text_by_sms() -> None:
    asked = DeskReply("Which service? Reply with its number: 1 A, 2 B", "en", ((1, "A"), (2, "B")))
    [card] = render.telegram(asked.messages(buttons=True))
    assert [c.action for row in card.rows for c in row] == ["say:1", "say:2"]
    assert [c.label for row in card.rows for c in row] == ["1. A", "2. B"]
    assert render.sms(asked.messages()) == (asked.text, [])
