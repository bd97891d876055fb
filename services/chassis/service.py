"""What every laomo service class has: tracing, metrics, a clock and ``health``.

A service subclasses :class:`LaomoService` and adds its own ``db =
Database(metadata)`` and entrypoints; nameko finds the dependencies declared
here through inheritance.
"""
from sqlalchemy import func, select

from .clock import Clock
from .logs import Tracing
from .metrics import Instrumentation, MetricsServer
from .rpc import rpc


class LaomoService:
    name = None  # each service sets its own

    tracing = Tracing()
    instrumentation = Instrumentation()
    metrics_server = MetricsServer()
    clock = Clock()

    @rpc
    def health(self):
        """Alive, and the database answers; with the outbox backlog for ops."""
        report = {"service": self.name, "status": "ok"}
        uow = getattr(self, "db", None)
        if uow is not None:
            outbox = uow.database.outbox
            with uow.database.reading() as connection:
                report["outbox_backlog"] = connection.execute(
                    select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
                ).scalar_one()
        return report
