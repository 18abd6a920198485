"""Values across the boundary: what a plugin returns, as JSON, and what it receives."""
import math

from .shim import STOP_CHAIN

# How STOP_CHAIN travels wherever only JSON can carry it.
STOP_CHAIN_MARKER = {"__dagstack__": "STOP_CHAIN"}


class SerializationError(Exception):
    pass


class _Unserializable(Exception):
    """Raised where a value cannot be carried; each enclosing level adds its step to the path on the
    way out, so a value that can be carried (nearly all) never pays for building paths."""

    def __init__(self, reason):
        self.reason = reason
        self.steps = []


def to_json(value, path="$", strict=False):
    """What a plugin returned, as JSON; anything JSON cannot carry names its path. With strict (the
    contract checks), a tuple is refused too: it would come back as a list."""
    try:
        return _to_json(value, strict)
    except _Unserializable as exc:
        raise SerializationError(f"{path}{''.join(reversed(exc.steps))}: {exc.reason}") from None


def _to_json(value, strict):
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Unserializable(f"dict key {key!r} is a {type(key).__name__}, JSON keys are strings")
            try:
                out[key] = _to_json(item, strict)
            except _Unserializable as exc:
                exc.steps.append(f".{key}")
                raise
        return out
    if kind is list or (kind is tuple and not strict):
        out = []
        for i, item in enumerate(value):
            try:
                out.append(_to_json(item, strict))
            except _Unserializable as exc:
                exc.steps.append(f"[{i}]")
                raise
        return out
    if value is STOP_CHAIN:
        return dict(STOP_CHAIN_MARKER)
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise _Unserializable(f"{value!r} is not a JSON number")
        return value
    if isinstance(value, tuple) and strict:
        raise _Unserializable("a tuple comes back from JSON as a list; return a list")
    if isinstance(value, (dict, list, tuple)):
        return _to_json(dict(value) if isinstance(value, dict) else list(value), strict)
    if hasattr(kind, "__dataclass_fields__"):  # a dataclass instance: its module has imported dataclasses
        import dataclasses

        return _to_json({f.name: getattr(value, f.name) for f in dataclasses.fields(value)}, strict)
    if hasattr(value, "model_dump") and callable(value.model_dump):
        return _to_json(value.model_dump(), strict)
    raise _Unserializable(f"a {type(value).__module__}.{type(value).__qualname__} cannot be carried as JSON")


def copy_json(value):
    """A copy of a JSON value no plugin holds a reference to: the value a stage returned is kept as
    that stage's output while the next stage receives (and may change in place) the copy."""
    kind = type(value)
    if kind is dict:
        return {key: copy_json(item) for key, item in value.items()}
    if kind is list:
        return [copy_json(item) for item in value]
    return value


def from_json(value):
    """An argument as the plugin receives it: the STOP_CHAIN marker becomes the sentinel."""
    if isinstance(value, dict) and value == STOP_CHAIN_MARKER:
        return STOP_CHAIN
    return value
