# DERIVED plugin
class EmailNotifier:
    def send(self, recipient, message):
        return {"sent_to": recipient}
