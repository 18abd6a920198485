# DERIVED plugin
class EchoInbuild:
    def ping(self):
        return "pong"
