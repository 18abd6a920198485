"""Keeping plugin code from breaking the host's machinery.

All plugins of a directory share one interpreter, so a plugin that replaces `json.dumps`,
`builtins.isinstance` or `builtins.getattr` would break the host (and every other plugin). The host
is protected twice:
- its own modules look names up in a private copy of the builtins (set by the bootstrap) and use
  the json functions they captured at start, so the host keeps working whatever a plugin replaces;
- after each piece of plugin code runs, `check()` compares the shared modules with a snapshot taken
  at start; a replaced or removed name is put back and reported as that plugin's fault."""
import builtins
import json
import json.decoder
import json.encoder

WATCHED = {"builtins": builtins, "json": json, "json.decoder": json.decoder, "json.encoder": json.encoder}
SNAPSHOT = {}


class TamperError(Exception):
    """Plugin code replaced or removed names the host and other plugins rely on."""

    kind = "tampered"


def take_snapshot():
    for name, module in WATCHED.items():
        SNAPSHOT[name] = dict(vars(module))


def check():
    """Restores every watched name a plugin replaced or removed; raises TamperError naming them."""
    changed = []
    for name, module in WATCHED.items():
        current, saved = vars(module), SNAPSHOT.get(name)
        # One comparison in C for the usual case: nothing changed (identity is checked first).
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
