class BlobProbe:
    """DERIVED: every documented BlobStore method, awaited as the protocol declares them."""

    def setup(self, ctx):
        self._blobs = ctx.resources.blob_store

    async def roundtrip(self, ctx, key, text):
        await self._blobs.put(key, text.encode(), content_type="text/plain")
        await self._blobs.put("notes/other.txt", b"x")
        await self._blobs.put("images/a.png", b"\x89PNG")
        got = (await self._blobs.get(key)).decode()
        listed = sorted(await self._blobs.list("notes/"))
        everything = sorted(await self._blobs.list())
        existed = await self._blobs.exists(key)
        await self._blobs.delete(key)
        await self._blobs.delete(key)  # deleting twice must not raise
        return {"got": got, "listed": listed, "all": everything, "existed": existed,
                "exists_after_delete": await self._blobs.exists(key)}
