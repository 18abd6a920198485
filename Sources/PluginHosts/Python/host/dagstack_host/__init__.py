"""The dagstack Python plugin host: runs the in-process Python plugins of one plugin directory.

The console starts it with `bootstrap.py` and speaks newline-delimited JSON-RPC 2.0 to it on the
stdin/stdout it was started with (`protocol`). Plugin code never sees those: print() and logging are
captured per call and returned with the result (`capture`), and anything written straight to file
descriptor 1 lands on stderr.

Modules: `protocol` (the request loop), `methods` (what each request does), `loading` (plugin modules
and entry points), `context` (the ctx, registry and resources plugin code sees), `shim` (the
`dagstack.plugin_system` module plugin code imports), `capture` (print and logging per call),
`awaiting` (running what a plugin returns, awaiting coroutines), `values` (JSON across the boundary),
`contract` (what the contract checks inspect), `debugger` (pdb in plugin code, on the console's
terminal), `stuck` (where plugin code was when a call that hung is stopped).
"""
