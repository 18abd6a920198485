class FlakyToolProvider:
    """DERIVED: a tool source whose catalogue backend is down."""

    def list_tools(self):
        raise ConnectionError("catalogue backend unreachable")
