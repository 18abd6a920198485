"""Keeping plugin code from breaking the host's machinery.

All plugins of a directory share one interpreter, so a plugin that replaces `json.dumps`,
`builtins.isinstance` or `builtins.getattr` would break the host (and every other plugin). The host
is protected twice:
- its own modules look names up in a private copy of the builtins (set by the bootstrap) and use
  the json functions they captured at start, so the host keeps working whatever a plugin replaces;
- after each piece of plugin code runs, `check()` puts back any name replaced or removed in the
  shared modules since a snapshot taken at start, and reports it as that plugin's fault.

`check()` runs after every call, so it must cost next to nothing when nothing changed: the watched
modules get a module class whose `__setattr__`/`__delattr__` note the change (`json.dumps = …`,
`setattr(builtins, "getattr", None)`), and only then are they compared with the snapshot."""
import builtins
import json
import json.decoder
import json.encoder
import types

WATCHED = {"builtins": builtins, "json": json, "json.decoder": json.decoder, "json.encoder": json.encoder}
SNAPSHOT = {}
# Names of watched modules that plugin code assigned to since the last check.
CHANGED = []


class _WatchedModule(types.ModuleType):
    def __setattr__(self, name, value):
        CHANGED.append(self.__name__)
        super().__setattr__(name, value)

    def __delattr__(self, name):
        CHANGED.append(self.__name__)
        super().__delattr__(name)


class TamperError(Exception):
    """Plugin code replaced or removed names the host and other plugins rely on."""

    kind = "tampered"


def take_snapshot():
    for name, module in WATCHED.items():
        SNAPSHOT[name] = dict(vars(module))
        module.__class__ = _WatchedModule


def check():
    """Restores every watched name a plugin replaced or removed; raises TamperError naming them."""
    if not CHANGED:
        return
    CHANGED.clear()
    changed = []
    for name, module in WATCHED.items():
        current, saved = vars(module), SNAPSHOT.get(name)
        # One comparison in C for a module nothing changed in (identity is checked first).
        if saved is None or current == saved:
            continue
        for key, value in saved.items():
            if key not in current:
                changed.append(f"removed {name}.{key}")
            elif current[key] is not value:
                changed.append(f"replaced {name}.{key}")
            else:
                continue
            current[key] = value
        for key in [k for k in current if k not in saved]:
            saved[key] = current[key]  # a new name harms no one: kept, and watched from now on
    if changed:
        raise TamperError(f"the plugin {', '.join(changed)}; the host put the original back "
                          f"(plugin code must not change what every plugin shares)")
