# DERIVED plugin
class EchoFixed:
    def ping(self):
        return "pong"
