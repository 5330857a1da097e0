"""Every change Waypoint makes to Rasa's own behaviour, in one place.

Rasa 3.6 has no hook for these, so they replace attributes inside Rasa. That is
fragile across versions, so :func:`install` refuses any Rasa but 3.6.x, and each
patch below says what it fixes and which upstream issue it works around; when an
upgrade fixes one, delete it here and nowhere else.

``python -m bot.server`` (what ``make serve`` and the tests run) calls
:func:`install` once, before Rasa parses its arguments. The channels call
:func:`require_installed` when Rasa builds their routes, so a server started
with plain ``rasa run`` stops at start-up with a clear message instead of running
unpatched.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any, Callable

logger = logging.getLogger(__name__)

SUPPORTED_RASA = "3.6."
DEFAULT_ACTION_TIMEOUT = 3.0  # seconds, when endpoints.yml names none


@dataclass(frozen=True)
class Patch:
    name: str
    why: str
    upstream: str
    apply: Callable[[], None]


class UnsupportedRasa(RuntimeError):
    """The running Rasa is not the one these patches were written against."""


class NotInstalled(RuntimeError):
    """A Waypoint channel was loaded into a Rasa server started without the patches."""


_installed = False


def install() -> None:
    """Check the Rasa version and apply every patch, once per process."""
    global _installed
    if _installed:
        return
    import rasa

    if not rasa.__version__.startswith(SUPPORTED_RASA):
        raise UnsupportedRasa(f"Waypoint's patches are for Rasa {SUPPORTED_RASA}x, "
                              f"not {rasa.__version__}: re-check each one in bot/patches.py")
    for patch in PATCHES:
        patch.apply()
        logger.debug("Rasa patch applied: %s", patch.name)
    _installed = True


def require_installed() -> None:
    if not _installed:
        raise NotInstalled("start Rasa with `python -m bot.server run …` (it installs "
                           "Waypoint's patches to Rasa; see bot/patches.py), not `rasa run`")


def action_timeout_from(endpoints: Any) -> float:
    """``action_endpoint.timeout`` of the endpoints Rasa loaded, else 3 s."""
    action = getattr(endpoints, "action", None)
    value = (getattr(action, "kwargs", None) or {}).get("timeout", DEFAULT_ACTION_TIMEOUT)
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        logger.warning("action_endpoint.timeout %r is not a number; using %.1f s",
                       value, DEFAULT_ACTION_TIMEOUT)
        return DEFAULT_ACTION_TIMEOUT
    return seconds if seconds > 0 else DEFAULT_ACTION_TIMEOUT


def set_action_timeout(seconds: float) -> None:
    import rasa.core.actions.action as rasa_action
    import rasa.utils.endpoints as rasa_endpoints

    rasa_action.DEFAULT_REQUEST_TIMEOUT = seconds  # type: ignore[attr-defined]
    rasa_endpoints.DEFAULT_REQUEST_TIMEOUT = seconds  # type: ignore[attr-defined]


def _wrap_server_start() -> None:
    """Wrap ``rasa.core.run.serve_application``, where ``rasa run`` has read its
    endpoints and is about to build the app: apply the action timeout from the
    endpoints file it was given, and add Waypoint's start-up listeners."""
    import rasa.core.run as rasa_run

    original = rasa_run.serve_application
    if getattr(original, "waypoint", False):
        return

    @functools.wraps(original)
    def serve_application(*args: Any, **kwargs: Any) -> Any:
        set_action_timeout(action_timeout_from(kwargs.get("endpoints")))
        listeners = list(kwargs.get("server_listeners") or [])
        listeners += [(warm_up, "before_server_start"), (start_retention, "after_server_start"),
                      (start_nudges, "after_server_start")]
        kwargs["server_listeners"] = listeners
        return original(*args, **kwargs)

    serve_application.waypoint = True  # type: ignore[attr-defined]
    rasa_run.serve_application = serve_application


async def warm_up(_app: Any, _loop: Any) -> None:
    """Load the crisis patterns and the hotline file before the first message, not on
    the first crisis: the emergency reply must not wait on file parsing, and a broken
    file must stop the server at start-up instead of failing a person in crisis."""
    from safety import crisis
    from safety.replies import load_hotlines

    crisis.load_patterns()
    load_hotlines()


async def start_retention(app: Any, _loop: Any) -> None:
    """Purge old conversations hourly in every Rasa server (see ``bot.retention``)."""
    from bot.retention import keep_purging

    app.add_task(keep_purging(app))


async def start_nudges(app: Any, _loop: Any) -> None:
    """Remind providers of listings unconfirmed for 30 days (see ``bot.nudger``); safe in
    several servers at once, as each reminder is claimed by one."""
    from bot.nudger import keep_nudging

    app.add_task(keep_nudging(app))


def _cache_action_reply_validator() -> None:
    import rasa.core.actions.action as rasa_action
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.shared.constants import DOCS_BASE_URL

    spec = rasa_action.RemoteAction.action_response_format_spec()
    validator_class = validator_for(spec)
    validator_class.check_schema(spec)
    validator = validator_class(spec)

    def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        try:
            validator.validate(result)
        except ValidationError as e:
            e.message += (". Failed to validate Action server response from API, make sure "
                          "your response from the Action endpoint is valid. For more "
                          f"information about the format visit {DOCS_BASE_URL}/custom-actions")
            raise e
        return True

    rasa_action.RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


PATCHES: tuple[Patch, ...] = (
    Patch(
        name="action timeout from endpoints.yml, and Waypoint's start-up listeners",
        why="Rasa 3.6 hard-codes a 300 s timeout on action-server calls, longer than its "
            "60 s conversation lock, so one stuck action server could hold a conversation; "
            "this applies `action_endpoint.timeout` from the endpoints file `rasa run` was "
            "given (3 s by default). The same wrapper loads the safety data before the "
            "first message and starts the hourly retention purge and the providers' "
            "reminders in every server, whichever channels are on.",
        upstream="https://github.com/RasaHQ/rasa/issues/9789 (DEFAULT_REQUEST_TIMEOUT not "
                 "configurable; closed unfixed in 3.6) and "
                 "https://github.com/RasaHQ/rasa/pull/13015 (configurable client timeouts, "
                 "open)",
        apply=_wrap_server_start,
    ),
    Patch(
        name="action-reply validator built once",
        why="Rasa 3.6 calls `jsonschema.validate` on every action-server reply, which "
            "re-checks the schema against the meta-schema each time: 15-35 ms of CPU per "
            "action call, a third of a search turn. Same checks, same error text.",
        upstream="none filed that we found; jsonschema documents building a validator "
                 "once for repeated use (`validator_for(schema)(schema).validate`)",
        apply=_cache_action_reply_validator,
    ),
)
