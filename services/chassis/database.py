"""The database: one engine per service, one unit of work per worker.

SQLite (the embedded default) runs in WAL mode with a busy timeout, and every
write transaction starts with ``BEGIN IMMEDIATE``: SQLAlchemy drops ``FOR
UPDATE`` on SQLite, so taking the write lock up front is what keeps
read-modify-write sequences safe. sqlite3 waits for a lock in C, which would
freeze eventlet's hub, so within one process a green semaphore lets one unit
of work at a time hold the write lock.

PostgreSQL runs through psycopg2, made cooperative with psycogreen.
"""
import contextlib
import json
import logging
import os
import sys
import threading
import uuid
from datetime import timezone

from eventlet.semaphore import Semaphore
from nameko.extensions import DependencyProvider
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Enum,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    create_engine,
    event,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from .config import db_uri
from .logs import CORRELATION_KEY, current_correlation_id

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_S = 30
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator):
    """An aware UTC datetime on both SQLite (which keeps no zone) and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: laomo stores aware UTC instants only")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


def enum_of(enum_class, name):
    """A portable enum column: a checked string of the enum's values (no native type)."""
    return Enum(enum_class, name=name, native_enum=False, length=30,
                values_callable=lambda members: [m.value for m in members])


def new_id():
    """A record id: 32 hex digits, made where the record is, never by the database."""
    return uuid.uuid4().hex


def earlier_request(session, model, request_id):
    """The ``model`` record an earlier call with this client ``request_id`` made, or None: a retried
    create returns what the first made (every model with a ``request_id`` keeps it unique)."""
    if not request_id:
        return None
    return session.scalar(select(model).where(model.request_id == request_id))


def add_once(session, made, *belonging):
    """Add the new record ``made`` (and rows that ``belonging`` to it) in a savepoint; returns
    ``(record, True)``, or ``(earlier, False)`` when a call with the same ``request_id`` committed it
    in between (the unique key refuses the twin). Any other refusal is raised."""
    try:
        with session.begin_nested():
            session.add(made)
            if belonging:
                session.flush()
                session.add_all(belonging)
    except IntegrityError:
        earlier = earlier_request(session, type(made), made.request_id)
        if earlier is None:
            raise
        return earlier, False
    return made, True


def service_metadata():
    """A service's MetaData, with the outbox and inbox tables every service has."""
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    Table(
        "outbox", metadata,
        Column("seq", Integer, primary_key=True, autoincrement=True),
        Column("event_id", String(32), nullable=False, unique=True),
        Column("source", String(64), nullable=False),
        Column("event_type", String(100), nullable=False),
        Column("payload", Text, nullable=False),
        Column("headers", Text, nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        Column("published_at", UtcDateTime, nullable=True),
        Column("unroutable", Boolean, nullable=False, default=False),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
        Index("ix_outbox_pending", "published_at", "seq"),
    )
    Table(
        "inbox", metadata,
        Column("event_id", String(64), primary_key=True),
        Column("handler", String(200), primary_key=True),
        Column("source", String(64), nullable=False),
        Column("event_type", String(100), nullable=False),
        Column("handled_at", UtcDateTime, nullable=False),
    )
    return metadata


def is_sqlite(engine_or_url):
    url = getattr(engine_or_url, "url", engine_or_url)
    return make_url(url).get_backend_name() == "sqlite"


_psycogreen_done = threading.Event()


def make_engine(uri, *, pool_size=10):
    url = make_url(uri)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url)
    if backend == "postgresql":
        # psycopg2 only: psycopg 3 waits in C where eventlet cannot switch greenthreads
        if url.get_driver_name() not in ("psycopg2", "psycopg2cffi") and "+" in url.drivername:
            raise ValueError("use postgresql:// or postgresql+psycopg2:// (psycopg 3 blocks eventlet)")
        url = url.set(drivername="postgresql+psycopg2")
        if not _psycogreen_done.is_set():
            from psycogreen.eventlet import patch_psycopg
            patch_psycopg()
            _psycogreen_done.set()
        return create_engine(url, pool_size=pool_size, max_overflow=pool_size,
                             pool_pre_ping=True, future=True)
    raise ValueError(f"unsupported DB_URI backend {backend!r}: use sqlite:/// or postgresql://")


def _sqlite_engine(url):
    memory = url.database in (None, "", ":memory:")
    if not memory:
        directory = os.path.dirname(os.path.abspath(url.database))
        os.makedirs(directory, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
        **({"poolclass": StaticPool} if memory else {}),
    )

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        # hand transaction control to SQLAlchemy's "begin" event below
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        if connection.get_execution_options().get("laomo_readonly"):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class UnitOfWork:
    """One transaction: the changes of one worker and the events they record.

    ``session`` opens it lazily; ``commit`` or ``rollback`` ends it. Events
    recorded with ``record_event`` are rows of the outbox, committed (or
    rolled back) with the change itself.
    """

    def __init__(self, database, context=None):
        self.database = database
        self.context = context or {}
        self._session = None
        self._locked = False
        self.recorded_events = 0
        self.settled = False

    @property
    def session(self):
        if self._session is None:
            if self.database.write_lock is not None:
                self.database.write_lock.acquire()
                self._locked = True
            self._session = Session(bind=self.database.engine, expire_on_commit=False, autoflush=True)
        return self._session

    def record_event(self, event_type, payload):
        """Write an event into the outbox, in this transaction; returns its id.

        The payload gains ``event_id`` and ``occurred_at``: consumers use the
        id for their inbox, so a redelivered event changes nothing twice.
        """
        event_id = uuid.uuid4().hex
        now = self.database.clock.now()
        body = dict(payload, event_id=event_id, occurred_at=now.isoformat())
        correlation_id = self.context.get(CORRELATION_KEY) or current_correlation_id()
        headers = {CORRELATION_KEY: correlation_id} if correlation_id else {}
        self.session.execute(self.database.outbox.insert().values(
            event_id=event_id,
            source=self.database.service_name,
            event_type=event_type,
            payload=json.dumps(body, ensure_ascii=False, sort_keys=True, default=str),
            headers=json.dumps(headers),
            created_at=now,
            unroutable=False,
            attempts=0,
        ))
        self.recorded_events += 1
        return event_id

    def commit(self):
        try:
            if self._session is not None:
                self._session.commit()
        finally:
            self._end()
        if self.recorded_events:
            self.database.events_committed()

    def rollback(self):
        try:
            if self._session is not None:
                self._session.rollback()
        finally:
            self._end()

    def _end(self):
        self.settled = True
        if self._session is not None:
            self._session.close()
            self._session = None
        if self._locked:
            self._locked = False
            self.database.write_lock.release()


class DatabaseEngine:
    """The engine of one service's database and what every unit of work needs."""

    def __init__(self, uri, metadata, service_name, clock):
        self.engine = make_engine(uri)
        self.metadata = metadata
        self.service_name = service_name
        self.clock = clock
        self.outbox = metadata.tables["outbox"]
        self.inbox = metadata.tables["inbox"]
        self.write_lock = Semaphore(1) if is_sqlite(self.engine) else None
        self.on_events_committed = []

    def events_committed(self):
        for callback in self.on_events_committed:
            callback()

    @contextlib.contextmanager
    def unit_of_work(self, context=None):
        """A unit of work outside a worker (relay, commands, tests): commits on success."""
        uow = UnitOfWork(self, context)
        try:
            yield uow
        except BaseException:
            uow.rollback()
            raise
        else:
            uow.commit()

    @contextlib.contextmanager
    def reading(self):
        """A read-only connection: no write lock, sees the last committed state."""
        with self.engine.connect() as connection:
            connection.execution_options(laomo_readonly=True)
            with connection.begin():
                yield connection

    @contextlib.contextmanager
    def reading_session(self):
        """An ORM session over :meth:`reading`: no write lock, for lookups on a hot path."""
        with self.reading() as connection, Session(bind=connection) as session:
            yield session

    def answer(self):
        """Raises when the database does not answer a trivial query: the readiness probes' check."""
        with self.reading() as connection:
            connection.exec_driver_sql("SELECT 1")

    def dispose(self):
        self.engine.dispose()


class Database(DependencyProvider):
    """Injects a :class:`UnitOfWork` per worker and runs the service's outbox relay.

    The unit of work is committed (or rolled back, if the entrypoint raised)
    by :func:`chassis.entrypoints.settle` *before* the RPC reply is sent or
    the event acked; a failed commit becomes the worker's error. Workers of
    other entrypoints (timers) are settled in ``worker_result``.
    """

    def __init__(self, metadata):
        self.metadata = metadata

    def setup(self):
        from .clock import clock_from_config
        from .outbox import OutboxRelay

        config = self.container.config
        self.db = DatabaseEngine(
            db_uri(config, self.container.service_name), self.metadata,
            self.container.service_name, clock_from_config(config))
        self.units = {}
        self.relay = OutboxRelay(self.db, config)
        self.db.on_events_committed.append(self.relay.wake)

    def start(self):
        if self.container.config.get("OUTBOX_RELAY", True):
            self.relay.start(self.container.spawn_managed_thread)

    def stop(self):
        self.relay.stop()
        self.db.dispose()

    def kill(self):
        self.relay.stop(wait=False)

    def get_dependency(self, worker_ctx):
        uow = UnitOfWork(self.db, worker_ctx.data)
        self.units[worker_ctx] = uow
        return uow

    def settle(self, worker_ctx, exc_info):
        uow = self.units.get(worker_ctx)
        if uow is None or uow.settled:
            return exc_info
        if exc_info is not None:
            uow.rollback()
            return exc_info
        try:
            uow.commit()
        except Exception:
            log.exception("commit failed")
            return sys.exc_info()
        return None

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        self.settle(worker_ctx, exc_info)

    def worker_teardown(self, worker_ctx):
        uow = self.units.pop(worker_ctx, None)
        if uow is not None and not uow.settled:
            uow.rollback()


def databases_of(container):
    """The :class:`DatabaseEngine` of each :class:`Database` dependency of a service container."""
    return [d.db for d in container.dependencies if isinstance(d, Database)]
