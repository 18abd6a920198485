# DERIVED plugin
class EchoDeepone:
    def ping(self):
        return "pong"
