"""Projections: how events fold into state (DESIGN section 4)."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import sys
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from agentlog_tui.core.events import Event
from agentlog_tui.core.tracked import Tracker

TOMBSTONE_VERBS = frozenset({"deleted", "removed", "cleared"})
EFFECT_VERBS = frozenset({"succeeded", "completed", "published", "sent", "done"})
DEFAULT_KEY_FIELDS = ("key", "id", "path", "name")


@runtime_checkable
class Projection(Protocol):
    """Turns events into state. `apply` mutates the state in place."""

    name: str

    def initial_state(self) -> dict: ...

    def apply(self, state: MutableMapping[str, Any], event: Event) -> None: ...


class ProjectionError(ValueError):
    """A projection named on the command line that cannot be loaded (the message says why)."""


def split_type(type_: str) -> tuple[str, str | None]:
    """`publish_failed` -> (`publish`, `failed`); `tool.call.started` -> (`tool.call`, `started`)."""
    cut = max(type_.rfind("_"), type_.rfind("."))
    if cut <= 0 or cut == len(type_) - 1:
        return type_, None
    return type_[:cut], type_[cut + 1 :]


def subject_of(event: Event, key_fields: tuple[str, ...]) -> str | None:
    """The subject an event is about: the envelope's key, else the first usable payload field."""
    return _subject(event.key, event.data, key_fields)


def _subject(key: Any, data: Any, key_fields: tuple[str, ...]) -> str | None:
    if isinstance(key, (str, int)) and not isinstance(key, bool):
        return str(key)
    if isinstance(data, dict):
        for f in key_fields:
            v = data.get(f)
            if isinstance(v, (str, int)) and not isinstance(v, bool):
                return str(v)
    return None


_SPLIT_CACHE: dict[str, tuple[str, str | None]] = {}


def effect_of(event: Event, key_fields: tuple[str, ...]) -> tuple[str, str | None] | None:
    """(entity, subject) when the event completes an effect (a verb like `succeeded`), else None."""
    return effect_of_parts(event.type, event.data, event.key, key_fields)


def effect_of_parts(type_: str, data: Any, key: Any,
                    key_fields: tuple[str, ...]) -> tuple[str, str | None] | None:
    entity, verb = _split_cached(type_)
    if verb not in EFFECT_VERBS:
        return None
    return entity, _subject(key, data, key_fields)


def _split_cached(type_: str) -> tuple[str, str | None]:
    r = _SPLIT_CACHE.get(type_)
    if r is None:
        r = split_type(type_)
        if len(_SPLIT_CACHE) < 100_000:
            _SPLIT_CACHE[type_] = r
    return r


def _container(t: Tracker, state: dict, entity: str) -> dict | None:
    """`state.setdefault(entity, {})` as the tracked view records it; None when the entity holds
    something other than an object (the caller then replaces it)."""
    container = state.get(entity)
    root = t.root
    if container is None and entity not in state:
        tomb = root.children.get(entity)
        if tomb is not None:
            t.dep(tomb.owner)
        t.write(root, state, entity, {}, ())
        container = state[entity]
    elif not isinstance(container, dict):
        return None
    slot = root.children[entity]
    if slot.children is None:
        t.expand(slot, container)
    return container


def discard(mapping: MutableMapping[str, Any], key: Any) -> None:
    """Delete a key if present, without reading it (tracked views record no dependency)."""
    if hasattr(mapping, "discard"):
        mapping.discard(key)
    else:
        mapping.pop(key, None)


class EntityProjection:
    """The zero-configuration projection: the latest value per entity and subject."""

    name = "entities"

    def __init__(self, key_fields: tuple[str, ...] | None = None) -> None:
        self.key_fields = tuple(key_fields or DEFAULT_KEY_FIELDS)

    def initial_state(self) -> dict:
        return {}

    def apply_tracked(self, t: Tracker, state: dict, event: Event) -> None:
        """`apply`, declaring its reads and writes to the tracker directly (the fast path).

        Records exactly what `apply` through a TrackedDict would; a property test holds the two
        to the same marks. Values are not copied: the payload was parsed for this call alone."""
        self.apply_parts(t, state, event.type, event.data, event.key)

    def apply_parts(self, t: Tracker, state: dict, type_: str, data: Any, key: Any) -> None:
        """`apply_tracked` from an event's parts (the reader's fused loop makes no Event)."""
        entity, verb = _split_cached(type_)
        subject = _subject(key, data, self.key_fields)
        root = t.root
        children = root.children
        if verb in TOMBSTONE_VERBS:
            if subject is None:
                if entity in state:
                    t.delete(root, state, entity, ())
                return
            container = _container(t, state, entity)
            if container is None:
                return
            if subject in container:
                t.delete(children[entity], container, subject, (entity,))
            return
        value = {"status": verb, **data} if isinstance(data, dict) else {"status": verb, "value": data}
        if subject is None:
            t.write(root, state, entity, value, ())
            return
        container = _container(t, state, entity)
        if container is None:
            t.write(root, state, entity, {subject: value}, ())
            return
        t.write(children[entity], container, subject, value, (entity,))

    def apply(self, state: MutableMapping[str, Any], event: Event) -> None:
        # (a scrub replays up to a checkpoint's spacing of events through here: the split is
        # cached, and a plain dict is told apart from a MutableMapping without the abc check)
        entity, verb = _split_cached(event.type)
        subject = _subject(event.key, event.data, self.key_fields)
        if verb in TOMBSTONE_VERBS:
            # the entity's container is kept (empty) so the result never depends on who made it
            if subject is None:
                discard(state, entity)
            else:
                container = state.setdefault(entity, {})
                if type(container) is dict or isinstance(container, MutableMapping):
                    discard(container, subject)
            return
        data = event.data
        value = {"status": verb, **data} if isinstance(data, dict) else {"status": verb, "value": data}
        if subject is None:
            state[entity] = value
        else:
            container = state.setdefault(entity, {})
            if type(container) is dict or isinstance(container, MutableMapping):
                container[subject] = value
            else:
                state[entity] = {subject: value}


class FunctionProjection:
    """A plain function `(state, event) -> None` used as a projection."""

    def __init__(self, fn: Callable[[MutableMapping[str, Any], Event], None], name: str | None = None):
        self.fn = fn
        self.name = name or getattr(fn, "__name__", "projection")

    def initial_state(self) -> dict:
        return {}

    def apply(self, state: MutableMapping[str, Any], event: Event) -> None:
        self.fn(state, event)


def as_projection(obj: Any, name: str = "projection") -> Projection:
    """Accept a Projection, a Projection class, or a plain function."""
    if isinstance(obj, type):
        try:
            obj = obj()
        except Exception as exc:  # noqa: BLE001 - user code
            raise ProjectionError(f"cannot instantiate {name}: {exc}") from None
    if hasattr(obj, "apply") and hasattr(obj, "initial_state"):
        try:
            has_name = hasattr(obj, "name")
        except Exception:  # noqa: BLE001 - a name property that raises: checked_projection says so
            has_name = True
        if not has_name:
            with contextlib.suppress(Exception):  # a read-only name: keep the projection's own
                obj.name = name
        return obj
    if callable(obj):
        return FunctionProjection(obj, name)
    raise ProjectionError(f"{name} is neither a Projection nor a function")


def load_projection(spec: str) -> Projection:
    """Load `path/to/file.py:NAME` or `module:NAME`. Code runs only because the user named it."""
    target, sep, attr = spec.rpartition(":")
    if not sep or not target or not attr:
        raise ProjectionError(f"--projection {spec!r}: expected FILE.py:NAME or module:NAME")
    try:
        if target.endswith(".py") or "/" in target or Path(target).is_file():
            path = Path(target)
            if not path.is_file():
                raise ProjectionError(f"{target}: no such projection file")
            mod_name = f"agentlog_projection_{abs(hash(str(path.resolve())))}"
            mspec = importlib.util.spec_from_file_location(mod_name, path)
            if mspec is None or mspec.loader is None:
                raise ProjectionError(f"{target}: cannot load as Python")
            module = importlib.util.module_from_spec(mspec)
            sys.modules[mod_name] = module
            mspec.loader.exec_module(module)
        else:
            module = importlib.import_module(target)
    except ProjectionError:
        raise
    except Exception as exc:  # noqa: BLE001 - user code: report, never a traceback
        raise ProjectionError(f"{target}: {type(exc).__name__}: {exc}") from None
    try:
        obj = getattr(module, attr)
    except AttributeError:
        raise ProjectionError(f"{target} has no {attr!r}") from None
    except Exception as exc:  # noqa: BLE001 - a module __getattr__ is user code too
        raise ProjectionError(f"{spec}: {type(exc).__name__}: {exc}") from None
    try:
        proj = as_projection(obj, attr)
    except ProjectionError:
        raise
    except Exception as exc:  # noqa: BLE001 - attribute look-ups on user objects may raise
        raise ProjectionError(f"{spec}: {type(exc).__name__}: {exc}") from None
    return checked_projection(proj, spec)


def checked_projection(proj: Projection, spec: str) -> Projection:
    """`proj` once its name and initial state have been read without error (user code fails here,
    as one clear line, rather than in the middle of an analysis)."""
    try:
        name = proj.name
    except Exception as exc:  # noqa: BLE001 - user code
        raise ProjectionError(f"{spec}: reading its name raised {type(exc).__name__}: {exc}") from None
    if not isinstance(name, str):
        raise ProjectionError(f"{spec}: its name is {type(name).__name__}, not a string")
    try:
        proj.initial_state()
    except Exception as exc:  # noqa: BLE001 - user code
        raise ProjectionError(f"{spec}: initial_state() raised {type(exc).__name__}: {exc}") from None
    return proj
