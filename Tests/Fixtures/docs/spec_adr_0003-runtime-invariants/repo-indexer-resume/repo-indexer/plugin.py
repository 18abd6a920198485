from dagstack.plugin_system import PluginContext


class RepoIndexer:
    async def setup(self, context: PluginContext) -> None:
        self._http = context.resources.http_client
        self._blobs = context.resources.blob_store
        self._clock = context.resources.clock
        self._progress = context.progress
        self._checkpoint = context.checkpoint

    async def index(self, repo_id: str) -> dict:
        state, _ = self._checkpoint.load(key=f"repo-{repo_id}")
        processed = state["processed_files"] if state else []

        files = await self._list_files(repo_id)
        for i, file in enumerate(f for f in files if f not in processed):
            await self._process_file(file)
            processed.append(file)

            self._checkpoint.save(
                key=f"repo-{repo_id}",
                state={"processed_files": processed, "at": self._clock.now().isoformat()},
            )
            self._progress.update(
                percent=(i + 1) / len(files),
                message=f"Processed {i + 1}/{len(files)}",
                payload={"current_file": file},
            )

        return {"repo_id": repo_id, "total": len(files)}


# --- stub (not from the page): `_list_files` and `_process_file` are called but not defined. Attached after the
# --- class so the page's class body stays as written. `_process_file` crashes once on b.py to exercise resume.
async def _stub_list_files(self, repo_id):
    return ["a.py", "b.py", "c.py"]


async def _stub_process_file(self, file):
    if file == "b.py" and not getattr(self, "_stub_crashed_once", False):
        self._stub_crashed_once = True
        raise RuntimeError("simulated crash on b.py")


RepoIndexer._list_files = _stub_list_files
RepoIndexer._process_file = _stub_process_file
# --- end stub ---
