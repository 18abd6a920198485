# DERIVED plugin
class EchoFlat:
    def ping(self):
        return "pong"
