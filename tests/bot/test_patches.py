"""Waypoint's patches to Rasa: applied once, only to Rasa 3.6, each one explained."""

from __future__ import annotations

import types

import pytest
import rasa
import rasa.core.actions.action as rasa_action
import rasa.core.run as rasa_run
import rasa.utils.endpoints as rasa_endpoints
from rasa.core.actions.action import RemoteAction
from rasa.core.utils import AvailableEndpoints
from rasa.utils.endpoints import EndpointConfig

from bot import patches


@pytest.fixture
def unpatched(monkeypatch: pytest.MonkeyPatch) -> None:
    """Undo every patch after the test (monkeypatch restores what it set)."""
    monkeypatch.setattr(patches, "_installed", False)
    monkeypatch.setattr(rasa_run, "serve_application", rasa_run.serve_application)
    monkeypatch.setattr(RemoteAction, "_validate_action_result",
                        RemoteAction._validate_action_result)
    monkeypatch.setattr(rasa_action, "DEFAULT_REQUEST_TIMEOUT", rasa_action.DEFAULT_REQUEST_TIMEOUT)
    monkeypatch.setattr(rasa_endpoints, "DEFAULT_REQUEST_TIMEOUT",
                        rasa_endpoints.DEFAULT_REQUEST_TIMEOUT)


def test_every_patch_says_why_and_names_its_upstream_issue() -> None:
    assert patches.PATCHES
    for patch in patches.PATCHES:
        assert len(patch.why) > 80 and patch.upstream and callable(patch.apply)


def test_install_patches_once_and_channels_can_tell(unpatched: None) -> None:
    with pytest.raises(patches.NotInstalled, match="python -m bot.server"):
        patches.require_installed()
    validator = RemoteAction._validate_action_result
    patches.install()
    wrapped = rasa_run.serve_application
    assert RemoteAction._validate_action_result is not validator
    assert getattr(wrapped, "waypoint", False)
    patches.install()  # idempotent: the wrapper is not wrapped again
    assert rasa_run.serve_application is wrapped
    patches.require_installed()


def test_another_rasa_is_refused(unpatched: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(patches.UnsupportedRasa, match="3.7.0"):
        patches.install()
    with pytest.raises(patches.NotInstalled):
        patches.require_installed()


def test_server_start_applies_the_endpoints_timeout_and_adds_listeners(
        unpatched: None, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def fake_serve(model_path=None, channel=None, endpoints=None, server_listeners=None):  # type: ignore[no-untyped-def]
        seen.update(endpoints=endpoints, listeners=server_listeners)

    monkeypatch.setattr(rasa_run, "serve_application", fake_serve)
    patches.install()
    endpoints = AvailableEndpoints(action=EndpointConfig("http://127.0.0.1:1/webhook", timeout=7))
    rasa_run.serve_application("model.tar.gz", endpoints=endpoints)
    assert rasa_action.DEFAULT_REQUEST_TIMEOUT == 7.0 == rasa_endpoints.DEFAULT_REQUEST_TIMEOUT
    assert [event for _, event in seen["listeners"]] == [  # type: ignore[union-attr]
        "before_server_start", "after_server_start", "after_server_start"]
    # Rasa passes only the arguments the (wrapped) function accepts: the signature shows through.
    from rasa.shared.utils.common import arguments_of
    assert "server_listeners" in arguments_of(rasa_run.serve_application)


@pytest.mark.parametrize("timeout,seconds", [(None, 3.0), ("2.5", 2.5), ("soon", 3.0), (-1, 3.0)])
def test_action_timeout_from_endpoints(timeout: object, seconds: float) -> None:
    kwargs = {} if timeout is None else {"timeout": timeout}
    action = EndpointConfig("http://127.0.0.1:1/webhook", **kwargs)
    assert patches.action_timeout_from(types.SimpleNamespace(action=action)) == seconds
    assert patches.action_timeout_from(None) == 3.0


async def test_warm_up_loads_the_safety_data() -> None:
    from safety import crisis

    await patches.warm_up(None, None)
    assert crisis.detect("I took too much fentanyl and can't breathe") is not None
