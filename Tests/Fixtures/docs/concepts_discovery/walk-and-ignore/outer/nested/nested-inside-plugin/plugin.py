# DERIVED plugin
class EchoNestedinsideplugin:
    def ping(self):
        return "pong"
