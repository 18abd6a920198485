class FilesystemToolProvider:
    async def setup(self, ctx):
        pass

    def list_tools(self):
        return [
            {"name": "read_file", "description": "Read a file"},
            {"name": "write_file", "description": "Write a file"},
            {"name": "list_dir", "description": "List directory contents"},
        ]
