# DERIVED plugin
class EchoOther:
    def ping(self):
        return "pong"
