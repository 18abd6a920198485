# stub (not from the page): the page shows the manifest fragment only.
class FormatAHandler:
    def process(self, ctx, payload):
        return "format-a"
