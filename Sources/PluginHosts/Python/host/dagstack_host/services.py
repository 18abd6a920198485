"""What plugin code reaches through the console: other plugins (`get_plugin` and proxies to plugins
in another runtime) and the standard resources the console runs (the http client, the blob store).
Each call is a request to the console on the host's own pipes, answered while the console waits for
this host, so the console can run it through its registry and show it in traces."""
import base64
import builtins
import json as _json

from . import context, protocol
from .shim import PLUGIN_SYSTEM
from .values import from_json, to_json


def _error_class(type_name):
    """The exception to raise for an error the console names: the plugin-system's own classes
    (KindUnknown, AmbiguousPlugin...), a builtin (ValueError...), or a class of that name."""
    cls = getattr(PLUGIN_SYSTEM, type_name, None) or getattr(builtins, type_name, None)
    if isinstance(cls, type) and issubclass(cls, Exception):
        return cls
    return type(type_name, (RuntimeError,), {})


def request(method, params):
    """One request to the console; its error raised as the exception it names."""
    try:
        return protocol.call_console(method, params)
    except protocol.ConsoleRequestError as exc:
        raise _error_class(exc.type)(str(exc)) from None


class PluginProxy:
    """A plugin of another runtime (an mcp_stdio process, a Swift plugin) as `get_plugin` returns it:
    each hook is a method that calls it through the console and returns its value."""

    def __init__(self, caller, name, kind, hooks):
        self._caller, self._name, self._kind = caller, name, kind
        self._hooks = None if hooks is None else frozenset(hooks)

    def __getattr__(self, hook):
        if hook.startswith("_") or (self._hooks is not None and hook not in self._hooks):
            known = ", ".join(sorted(self._hooks or ())) or "none known"
            raise AttributeError(f"plugin {self._name!r} ({self._kind}) has no hook {hook!r}; hooks: {known}")

        def call(*args, **kwargs):
            from .context import PluginContext

            if args and isinstance(args[0], PluginContext):
                args = args[1:]  # the console gives the plugin its own ctx
            reply = request("registry.call", {
                "caller": self._caller, "plugin": self._name, "hook": hook,
                "args": [to_json(a) for a in args], "kwargs": {k: to_json(v) for k, v in kwargs.items()},
            })
            return from_json(reply.get("value"))

        call.__name__ = hook
        return call

    def __repr__(self):
        return f"<plugin {self._name!r} of kind {self._kind!r}, in another runtime: its hooks run through the console>"


class HTTPStatusError(Exception):
    """raise_for_status() on a 4xx or 5xx response."""

    def __init__(self, message, response):
        super().__init__(message)
        self.response = response


class HttpResponse:
    """reference/resources-list's HttpResponse: status_code, headers, json(), text(); with content
    (the bytes) and raise_for_status() (concepts/resources)."""

    def __init__(self, method, url, reply):
        self.request_method, self.url = method, url
        self.status_code = reply["status_code"]
        self.reason = reply.get("reason", "")
        self.headers = _Headers(reply.get("headers") or {})
        self.content = base64.b64decode(reply.get("body_base64") or "")

    @property
    def status(self):
        return self.status_code

    @property
    def is_success(self):
        return 200 <= self.status_code < 300

    def text(self):
        return self.content.decode(_charset(self.headers.get("content-type")) or "utf-8", errors="replace")

    def json(self):
        return from_json(_json.loads(self.content))

    def raise_for_status(self):
        if self.status_code >= 400:
            kind = "Client error" if self.status_code < 500 else "Server error"
            raise HTTPStatusError(f"{kind} '{self.status_code} {self.reason}' for url '{self.url}'", self)
        return self

    def __repr__(self):
        return f"<HttpResponse [{self.status_code}]>"


class _Headers(dict):
    """Response headers, looked up whatever the case."""

    def __init__(self, headers):
        super().__init__((k.lower(), v) for k, v in headers.items())

    def __getitem__(self, key):
        return super().__getitem__(key.lower())

    def get(self, key, default=None):
        return super().get(key.lower(), default)

    def __contains__(self, key):
        return super().__contains__(key.lower())


def _charset(content_type):
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset":
            return value.strip('"')
    return None


class HttpClient:
    """The http_client resource (reference/resources-list): async get/post/put/delete with keyword-only
    headers and json, and the reference's request(method, url, **kw). The console makes the request,
    so it shows in the trace with what was sent (secrets masked)."""

    async def get(self, url, *, headers=None, params=None, timeout=None):
        return self._send("GET", url, headers=headers, params=params, timeout=timeout)

    async def post(self, url, *, json=None, data=None, content=None, headers=None, params=None, timeout=None):
        return self._send("POST", url, json=json, data=data, content=content, headers=headers, params=params, timeout=timeout)

    async def put(self, url, *, json=None, data=None, content=None, headers=None, params=None, timeout=None):
        return self._send("PUT", url, json=json, data=data, content=content, headers=headers, params=params, timeout=timeout)

    async def patch(self, url, *, json=None, data=None, content=None, headers=None, params=None, timeout=None):
        return self._send("PATCH", url, json=json, data=data, content=content, headers=headers, params=params, timeout=timeout)

    async def delete(self, url, *, headers=None, params=None, timeout=None):
        return self._send("DELETE", url, headers=headers, params=params, timeout=timeout)

    async def head(self, url, *, headers=None, params=None, timeout=None):
        return self._send("HEAD", url, headers=headers, params=params, timeout=timeout)

    async def request(self, method, url, **kwargs):
        return self._send(method.upper(), url, **kwargs)

    def _send(self, method, url, *, json=None, data=None, content=None, headers=None, params=None, timeout=None):
        body = None
        headers = {str(k): str(v) for k, v in (headers or {}).items()}
        if json is not None:
            body = _json.dumps(to_json(json), ensure_ascii=False).encode()
            headers.setdefault("Content-Type", "application/json")
        elif isinstance(data, dict):
            from urllib.parse import urlencode

            body = urlencode(data).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif data is not None or content is not None:
            raw = content if content is not None else data
            body = raw.encode() if isinstance(raw, str) else bytes(raw)
        if params:
            from urllib.parse import urlencode

            url = url + ("&" if "?" in url else "?") + urlencode(params)
        params = {
            "method": method, "url": url, "headers": headers, "timeout": timeout,
            "body_base64": None if body is None else base64.b64encode(body).decode(),
        }
        if context.CALLER is not None:
            params["caller"] = context.CALLER
        reply = request("http.request", params)
        return HttpResponse(method, url, reply)


class BlobStore:
    """The blob_store resource (reference/resources-list): async put (with content_type), get,
    delete (idempotent), list(prefix), exists — on the folder the console shows in `resources`.
    get() of a missing key returns None (as the reference's InMemoryBlobStore)."""

    def __init__(self, spec=None):
        self.path = (spec or {}).get("path")

    async def put(self, key, data, *, content_type=None):
        if isinstance(data, str):
            raise TypeError("blob_store.put takes bytes; encode the text first")
        request("blob.put", {"key": key, "data_base64": base64.b64encode(bytes(data)).decode(), "content_type": content_type})

    async def get(self, key):
        reply = request("blob.get", {"key": key})
        return None if reply.get("data_base64") is None else base64.b64decode(reply["data_base64"])

    async def delete(self, key):
        request("blob.delete", {"key": key})

    async def list(self, prefix=""):
        return list(request("blob.list", {"prefix": prefix}).get("keys", []))

    async def exists(self, key):
        return bool(request("blob.exists", {"key": key}).get("exists"))

    def __repr__(self):
        return f"<BlobStore on {self.path}>"
