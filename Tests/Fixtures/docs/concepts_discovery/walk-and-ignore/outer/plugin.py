# DERIVED plugin
class EchoOuter:
    def ping(self):
        return "pong"
