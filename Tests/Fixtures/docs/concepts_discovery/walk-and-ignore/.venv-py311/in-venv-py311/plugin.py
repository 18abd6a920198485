# DERIVED plugin
class EchoInvenvpy311:
    def ping(self):
        return "pong"
