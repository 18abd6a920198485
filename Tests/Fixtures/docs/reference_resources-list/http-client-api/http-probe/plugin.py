class HttpApiProbe:
    """DERIVED: calls every documented HttpClient method and reads every documented HttpResponse member."""

    def setup(self, ctx):
        self._http = ctx.resources.http_client

    async def exercise(self, ctx, base):
        out = {}
        r = await self._http.get(f"{base}/items", headers={"X-Trace": "t1"})
        out["get"] = {"status": r.status_code, "ctype": r.headers.get("content-type"), "json": r.json()}
        r = await self._http.post(f"{base}/items", json={"name": "a"}, headers={"X-Trace": "t2"})
        out["post"] = {"status": r.status_code, "json": r.json()}
        r = await self._http.put(f"{base}/items/1", json={"name": "b"})
        out["put"] = {"status": r.status_code, "text": r.text()}
        r = await self._http.delete(f"{base}/items/1")
        out["delete"] = {"status": r.status_code}
        return out
