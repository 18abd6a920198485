# DERIVED plugin
class EchoIndotvenv:
    def ping(self):
        return "pong"
