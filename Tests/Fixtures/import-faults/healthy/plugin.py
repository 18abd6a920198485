class Healthy:
    def ping(self, value):
        return {"pong": value}
