"""What every laomo service class has: tracing, metrics, a clock and ``health``.

A service subclasses :class:`LaomoService` and adds its own ``db =
Database(metadata)`` and entrypoints; nameko finds the dependencies declared
here through inheritance.
"""
import gc

from nameko.extensions import DependencyProvider
from sqlalchemy import func, select

from .clock import Clock
from .logs import Tracing
from .metrics import Instrumentation, MetricsServer
from .rpc import rpc

_gc_frozen = False


class LongLivedObjects(DependencyProvider):
    """When the process's first service starts, hide what it holds for good from the garbage collector.

    A started service keeps ~100,000 objects to the end (modules, mappers, compiled queries,
    connections). Python's full collections walk every one of them: under load that is a
    pause of ~80 ms every few seconds, and a share of every request's CPU. ``gc.freeze`` moves
    the objects alive at start to a generation that is never collected; everything made later
    is collected as before. Once per process: tests start many containers.
    """

    def start(self):
        global _gc_frozen
        if not _gc_frozen:
            _gc_frozen = True
            gc.collect()  # what is garbage already is freed, not frozen
            gc.freeze()


class LaomoService:
    name = None  # each service sets its own

    tracing = Tracing()
    instrumentation = Instrumentation()
    metrics_server = MetricsServer()
    clock = Clock()
    long_lived_objects = LongLivedObjects()

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
