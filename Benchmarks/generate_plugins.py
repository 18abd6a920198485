"""Writes N Python plugin folders (kind `generated`) that both runtimes can load."""
import os
import sys

root, count = sys.argv[1], int(sys.argv[2])
for i in range(count):
    folder = os.path.join(root, f"p{i:04d}")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "dagstack.toml"), "w") as f:
        f.write(f'[plugin]\nname = "p{i:04d}"\nkind = "generated"\nruntime = "in_process"\n'
                f'core_version = ">=0.1.0,<1.0.0"\nentry_point = "plugin:Generated"\npriority = {i % 100}\n')
    with open(os.path.join(folder, "plugin.py"), "w") as f:
        f.write("class Generated:\n    async def setup(self, ctx):\n        self.ready = True\n\n"
                "    def work(self, ctx, value):\n        return value\n")
