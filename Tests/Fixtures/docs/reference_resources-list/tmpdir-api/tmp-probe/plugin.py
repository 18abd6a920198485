class TmpProbe:
    def setup(self, ctx):
        self._tmp = ctx.resources.tmpdir

    def use(self):
        if self._tmp is None:
            return {"tmpdir": None}
        f = self._tmp.create_file("report", suffix=".txt")
        sub = self._tmp.create_subdir("cache")
        return {"file_inside": str(f).startswith(str(self._tmp.path)), "suffix": str(f).endswith(".txt"),
                "subdir_is_dir": sub.is_dir()}
