# DERIVED plugin
class EchoEcho:
    def ping(self):
        return "pong"
