# DERIVED plugin
class EchoInvenv:
    def ping(self):
        return "pong"
