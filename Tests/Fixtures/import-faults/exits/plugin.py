import os

os._exit(9)


class Exits:
    def ping(self, value):
        return value
