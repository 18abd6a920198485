"""Values across the boundary: what a plugin returns, as JSON, and what it receives."""
import json
import math
import unicodedata

from .shim import STOP_CHAIN

# How STOP_CHAIN travels wherever only JSON can carry it.
STOP_CHAIN_MARKER = {"__dagstack__": "STOP_CHAIN"}

# What the console carries (its JSONLimits, sent with `load`): values nested at most this deep,
# integers within 64 bits. A value beyond them is refused here, naming its path, rather than sent
# as an answer the console could not read.
LIMITS = {"max_depth": 256}
INT_MIN, INT_MAX = -(2 ** 63), 2 ** 63 - 1


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
        return _to_json(value, strict, LIMITS["max_depth"])
    except _Unserializable as exc:
        raise SerializationError(f"{path}{_steps(exc.steps)}: {exc.reason}") from None


def _steps(steps):
    """The path's steps (innermost first, as collected), shortened when there are many."""
    steps = list(reversed(steps))
    if len(steps) > 12:
        return "".join(steps[:6]) + "…" + "".join(steps[-4:]) + f" ({len(steps)} levels)"
    return "".join(steps)


def _checked_str(value):
    # isascii() is a flag read; only other text is checked for lone surrogates, which UTF-8 cannot carry.
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = value[exc.start:exc.end]
            raise _Unserializable(f"the string contains a lone surrogate ({bad!r}), which is not valid Unicode") from None
    return value


def _checked_int(value):
    if INT_MIN <= value <= INT_MAX:
        return value
    # bit_length, not str(): converting a huge int to text is itself refused past 4300 digits.
    raise _Unserializable(f"a {value.bit_length()}-bit integer is beyond 64 bits, which is what the console carries exactly")


def _to_json(value, strict, depth):
    kind = type(value)
    if kind is str:
        return value if value.isascii() else _checked_str(value)
    if kind is int:
        return _checked_int(value)
    if kind is bool or value is None:
        return value
    if depth <= 0 and (kind is dict or kind is list or kind is tuple or kind is Record):
        raise _Unserializable(f"nested deeper than {LIMITS['max_depth']} levels")
    if kind is dict or kind is Record:
        # A plain dict, not a Record: this is what is sent, and the JSON encoder reads a plain dict
        # without calling back into Python.
        out = {}
        ascii_keys = True
        for key, item in dict.items(value):  # a Record's own "items" key must not hide the method
            if type(key) is not str:
                if not isinstance(key, str):
                    raise _Unserializable(f"dict key {key!r} is a {type(key).__name__}, JSON keys are strings")
                key = str(key)
            if type(item) is str and item.isascii() and key.isascii():  # most members: no call at all
                out[key] = item
                continue
            ascii_keys = ascii_keys and key.isascii()
            try:
                out[key if key.isascii() else _checked_str(key)] = _to_json(item, strict, depth - 1)
            except _Unserializable as exc:
                exc.steps.append(f".{key}")
                raise
        if not ascii_keys:
            _refuse_normalisation_twins(out)
        return out
    if kind is list or (kind is tuple and not strict):
        out = []
        for i, item in enumerate(value):
            try:
                out.append(_to_json(item, strict, depth - 1))
            except _Unserializable as exc:
                exc.steps.append(f"[{i}]")
                raise
        return out
    if value is STOP_CHAIN:
        return dict(STOP_CHAIN_MARKER)
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _checked_str(str(value))
    if isinstance(value, int):
        return _checked_int(int(value))
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise _Unserializable(f"{value!r} is not a JSON number")
        return value
    if isinstance(value, tuple) and strict:
        raise _Unserializable("a tuple comes back from JSON as a list; return a list")
    if isinstance(value, (dict, list, tuple)):
        return _to_json(dict(value) if isinstance(value, dict) else list(value), strict, depth)
    if hasattr(kind, "__dataclass_fields__"):  # a dataclass instance: its module has imported dataclasses
        import dataclasses

        return _to_json({f.name: getattr(value, f.name) for f in dataclasses.fields(value)}, strict, depth)
    if hasattr(value, "model_dump") and callable(value.model_dump):
        return _to_json(value.model_dump(), strict, depth)
    raise _Unserializable(f"a {type(value).__module__}.{type(value).__qualname__} cannot be carried as JSON")


def _refuse_normalisation_twins(obj):
    """Two keys that differ only in Unicode normalisation ("caf\u00e9", "cafe\u0301"): the console's
    objects cannot hold both, so it cannot read the answer at all. Said here, as this value's fault,
    naming where — a chain batch's reply it could not read would leave the stage unknown."""
    seen = {}
    for key in obj:
        nfc = unicodedata.normalize("NFC", key)
        if nfc in seen:
            # Escaped as JSON escapes them, as the console's own message does: on screen they look the same.
            raise _Unserializable(f"two keys differ only in Unicode normalisation ({json.dumps(seen[nfc])} and "
                                  f"{json.dumps(key)}); an object here cannot hold both")
        seen[nfc] = key


def copy_json(value):
    """What `to_json` made, as the next chain stage receives it: a copy no plugin holds a reference
    to (the value a stage returned is kept as that stage's output while the next stage may change
    its input in place), with objects as `Record`s."""
    kind = type(value)
    if kind is dict:
        return Record({key: item if type(item) not in _CONTAINERS else copy_json(item) for key, item in value.items()})
    if kind is list:
        return [item if type(item) not in _CONTAINERS else copy_json(item) for item in value]
    return value


_CONTAINERS = (dict, list)


def describe(exc):
    """str(exc), which is plugin code too: an exception whose __str__ raises is described, not fatal."""
    try:
        text = str(exc)
        return text if type(text) is str else repr(text)
    except BaseException as failure:  # noqa: BLE001 -- whatever __str__ raises
        return f"<{type(exc).__name__}.__str__ raised {type(failure).__name__}>"


class Record(dict):
    """A JSON object as plugin code receives it: a dict (`x["k"]`, `{**x}`, `x.get`, json.dumps) whose
    keys also read as attributes (`x.k`), as the docs' pydantic-typed hooks read their input
    (`payload.amount_cents`, `order.items`). A key wins over a dict method of the same name; a name
    that is neither is an AttributeError naming the keys there are.

    Attribute reads cost no more than on a dict: a key is found by `__getattr__` (called only when
    the ordinary lookup fails), and each dict method is a `_KeyOrMethod` on the class that checks
    for a key of its name first."""

    __slots__ = ()

    def __getattr__(self, name):
        if name[:2] == "__":  # hasattr(x, "__await__") and the like: no key is looked for
            raise AttributeError(name)
        try:
            return dict.__getitem__(self, name)
        except KeyError:
            raise AttributeError(f"{name!r}: the object has no such key (keys: {sorted(dict.keys(self))})") from None

    def __setattr__(self, name, value):
        self[name] = value

    def __delattr__(self, name):
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None


class _KeyOrMethod:
    """A dict method's name on Record: the key of that name when the record has one, else the method."""

    __slots__ = ("name", "method")

    def __init__(self, name):
        self.name, self.method = name, vars(dict)[name]

    def __get__(self, record, owner=None):
        if record is None:
            return self.method.__get__(None, owner)
        if dict.__contains__(record, self.name):
            return dict.__getitem__(record, self.name)
        return self.method.__get__(record, owner)


for _name in dir(dict):
    if not _name.startswith("__"):
        setattr(Record, _name, _KeyOrMethod(_name))


def from_json(value):
    """An argument as the plugin receives it: objects as `Record`s, all the way down; the STOP_CHAIN
    marker becomes the sentinel. What `to_json` made (a chain stage's output, handed to the next
    stage in the same exchange) is already in that form and is not copied again."""
    kind = type(value)
    if kind is Record:
        return STOP_CHAIN if value == STOP_CHAIN_MARKER else value
    if kind is dict:
        if value == STOP_CHAIN_MARKER:
            return STOP_CHAIN
        return Record((k, from_json(v)) for k, v in dict.items(value))
    if kind is list:
        return [from_json(v) for v in value]
    return value
