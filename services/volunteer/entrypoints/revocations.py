"""The registry's revocations: a person with no active honour left loses the roles that require one."""
from services.chassis.events import event_handler

from .. import revocations


class RevocationEntrypoints:

    @event_handler("registry", "honour_revoked")
    def on_honour_revoked(self, event):
        """A revoked honour: when none is left, the person's honouree roles end (``revocations.py``)."""
        return revocations.end_roles(self.db, event)
