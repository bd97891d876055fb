"""A service class with one more event handler than the suite's (test_definitions grows the topology with it)."""
from services.chassis.events import event_handler


class ExtraService:
    name = "extra"

    @event_handler("registry", "honour_revoked")
    def on_honour_revoked(self, event):
        return None
