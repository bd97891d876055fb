"""Re-seal every sealed personal value under the current key; with ``--reindex``, recompute every blind index.

    python -m services.chassis.reseal [--batch N] [--reindex] SERVICE...

Which columns are sealed and which hold blind indexes is declared once per service, next to its models
(``SEALED_COLUMNS`` and ``BLIND_INDEXES`` in ``services.<name>.models``); the command refuses to run
if the metadata has a ``*_sealed`` or ``*_index`` column the declaration does not name.

Each table is read in batches by primary key, each batch its own transaction. A value already sealed
under the current key (or an index already equal to the one the current key makes) is skipped, so
the command can be run again after an interruption, and a second run changes nothing. A row is written
only if the values read are still there (compare-and-set): a row a service changed meanwhile is left
alone and counted, and was sealed by that service under its current key.
"""
import argparse
import dataclasses
import importlib
import os
import sys
from collections.abc import Callable

from cryptography.fernet import InvalidToken
from sqlalchemy import inspect, select, text, update
from sqlalchemy.engine import make_url

from .clock import SystemClock
from .config import db_uri, load_config, service_config_path
from .database import DatabaseEngine
from .personal_data import PersonalDataError, sealer_from_config

# the services that seal personal data (association and volunteer hold none)
SERVICES = ("registry", "nomination", "welfare")
BATCH = 500


def _same(value):
    return value


@dataclasses.dataclass(frozen=True)
class BlindIndex:
    """A column that holds a blind index (``Sealer.blind_index``) of a value of the same row.

    ``source`` is the sealed column the value is stored in, or None when the value is not stored
    (the index cannot be recomputed: ``unrecoverable`` says what that means). ``hashed`` turns the
    unsealed source into the text the service hashed (or None: that row has no index to recompute).
    The column holds ``prefix`` + the index; a row whose value does not start with ``prefix`` holds
    something else (such as ``h:<honouree id>``) and is left alone.
    """

    table: str
    column: str
    source: str | None
    hashed: Callable[[str], str | None] = _same
    prefix: str = ""
    unrecoverable: str = ""

    def recompute(self, sealer, row):
        """The index the current key makes for ``row``, or None when there is nothing to recompute."""
        current, sealed = row[self.column], row[self.source]
        if not sealed or (self.prefix and not (current or "").startswith(self.prefix)):
            return None
        value = self.hashed(sealer.unseal(sealed))
        if value is None:
            return None
        return self.prefix + sealer.blind_index(value)


@dataclasses.dataclass
class Counts:
    examined: int = 0
    resealed: int = 0     # rows with at least one value moved to the current key
    reindexed: int = 0    # rows with at least one index recomputed
    changed: int = 0      # rows a writer changed between the read and the write: left alone

    def add(self, other):
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))

    def __str__(self):
        return (f"{self.examined} rows examined, {self.resealed} re-sealed, {self.reindexed} re-indexed"
                + (f", {self.changed} changed meanwhile (run again)" if self.changed else ""))


class ResealError(Exception):
    """The command cannot go on: a declaration, a database or a sealed value is wrong."""


def declarations(service):
    """``(metadata, sealed columns by table, blind indexes by table)`` of a service, checked against
    its metadata: every ``*_sealed`` column must be declared sealed and every ``*_index`` column
    declared a blind index."""
    models = importlib.import_module(f"services.{service}.models")
    metadata = models.Base.metadata
    sealed, indexes = {}, {}
    for name in models.SEALED_COLUMNS:
        table, column = name.split(".")
        sealed.setdefault(table, []).append(column)
    for index in models.BLIND_INDEXES:
        indexes.setdefault(index.table, []).append(index)
    found_sealed = {f"{t.name}.{c.name}" for t in metadata.tables.values() for c in t.columns
                    if c.name.endswith("_sealed")}
    found_indexes = {f"{t.name}.{c.name}" for t in metadata.tables.values() for c in t.columns
                     if c.name.endswith("_index")}
    declared = set(models.SEALED_COLUMNS)
    declared_indexes = {f"{i.table}.{i.column}" for i in models.BLIND_INDEXES}
    problems = sorted(found_sealed ^ declared) + sorted(found_indexes - declared_indexes)
    problems += [f"{i.table}.{i.source}" for i in models.BLIND_INDEXES
                 if i.source is not None and f"{i.table}.{i.source}" not in declared]
    problems += [f"{i.table}.{i.column}" for i in models.BLIND_INDEXES
                 if i.table not in metadata.tables or i.column not in metadata.tables[i.table].columns]
    if problems:
        raise ResealError(f"{service}: SEALED_COLUMNS/BLIND_INDEXES in services/{service}/models do not "
                          f"match its tables: {', '.join(problems)}")
    return metadata, sealed, indexes


def update_triggers(connection, table):
    """The triggers that fire on UPDATE of ``table`` (an append-only table has one that refuses it)."""
    if connection.dialect.name == "sqlite":
        rows = connection.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"), {"t": table})
        return [name for name, sql in rows if " UPDATE " in f" {sql.upper()} "]
    # PostgreSQL: bit 4 of tgtype is TRIGGER_TYPE_UPDATE
    rows = connection.execute(text(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(:t) AND NOT tgisinternal "
        "AND (tgtype & 16) <> 0"), {"t": table})
    return [name for (name,) in rows]


def check_database(db, service, tables):
    """Refuse a database that lacks a table (wrong ``<NAME>_DB_URI``, or not migrated) or guards one
    of the tables against UPDATE."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not os.path.exists(url.database):
        raise ResealError(f"{service}: no database file {url.database}: set {service.upper()}_DB_URI")
    with db.reading() as connection:
        inspector = inspect(connection)
        for table in tables:
            if not inspector.has_table(table):
                raise ResealError(f"{service}: the database has no table {table!r}: "
                                  f"is {service.upper()}_DB_URI right, and the database migrated?")
            triggers = update_triggers(connection, table)
            if triggers:
                raise ResealError(f"{service}: {table} has UPDATE triggers ({', '.join(triggers)}): "
                                  "its rows cannot be re-sealed in place")


def reseal_table(db, sealer, table, sealed, indexes, batch=BATCH, reindex=False, progress=None):
    """Re-seal (and with ``reindex``, re-index) one table; returns its :class:`Counts`."""
    (pk,) = table.primary_key.columns
    recomputed = [i for i in indexes if reindex and i.source is not None]
    read = [pk] + [table.c[c] for c in sealed] + [table.c[i.column] for i in recomputed]
    counts, last = Counts(), None
    while True:
        with db.unit_of_work() as uow:
            query = select(*read).order_by(pk).limit(batch)
            if last is not None:
                query = query.where(pk > last)
            rows = uow.session.execute(query).mappings().all()
            for row in rows:
                changes, where = {}, f"{table.name} {pk.name}={row[pk.name]!r}"
                for column in sealed:
                    value = row[column]
                    if value and not sealer.is_current(value):
                        try:
                            changes[column] = sealer.reseal(value)
                        except InvalidToken:
                            raise ResealError(f"{where}: {column} does not open with any key of "
                                              "LAOMO_PERSONAL_DATA_KEYS") from None
                resealed = bool(changes)
                for index in recomputed:
                    try:
                        value = index.recompute(sealer, row)
                    except PersonalDataError:
                        raise ResealError(f"{where}: {index.source} does not open with any key of "
                                          "LAOMO_PERSONAL_DATA_KEYS") from None
                    if value is not None and value != row[index.column]:
                        changes[index.column] = value
                if not changes:
                    continue
                # compare-and-set: write only over the values read
                guard = [table.c[c.name] == row[c.name] for c in read[1:]]
                written = uow.session.execute(
                    update(table).where(pk == row[pk.name], *guard).values(**changes)).rowcount
                if written != 1:
                    counts.changed += 1
                    continue
                counts.resealed += int(resealed)
                counts.reindexed += int(any(c not in sealed for c in changes))
            counts.examined += len(rows)
        if progress is not None:
            progress(table.name, counts)
        if len(rows) < batch:
            return counts
        last = rows[-1][pk.name]


def reseal_service(service, db, sealer, batch=BATCH, reindex=False, out=None):
    """Re-seal every sealed column of ``service`` (and re-index, with ``reindex``) in the database of
    ``db``; returns ``{table: Counts}``."""
    write = (lambda line: print(line, file=out, flush=True)) if out is not None else (lambda line: None)
    metadata, sealed, indexes = declarations(service)
    tables = sorted(set(sealed) | (set(indexes) if reindex else set()))
    check_database(db, service, tables)
    if reindex:
        for index in (i for table in tables for i in indexes.get(table, ()) if i.source is None):
            write(f"{service} {index.table}.{index.column}: NOT re-indexed: {index.unrecoverable}")
    results = {}
    for name in tables:
        results[name] = reseal_table(
            db, sealer, metadata.tables[name], sealed.get(name, []), indexes.get(name, []), batch, reindex,
            progress=lambda table, counts: write(f"{service} {table}: {counts}"))
    return results


DESCRIPTION = "Re-seal personal data under the current key; with --reindex, recompute the blind indexes."
EPILOG = """\
Each SERVICE's configuration is read as the service reads it (services/<name>/config.yml): its
database from <NAME>_DB_URI (REGISTRY_DB_URI, NOMINATION_DB_URI, WELFARE_DB_URI), the keys from
LAOMO_PERSONAL_DATA_KEYS (comma-separated Fernet keys: the first seals, every one unseals) and
LAOMO_BLIND_INDEX_KEY. Run it where those are set, e.g. in the service's own container.

Rotating the personal-data key: put the new key in every service's list after the old one, then
first (LAOMO_PERSONAL_DATA_KEYS=<new>,<old>) and roll the services; run this for every SERVICE
until it re-seals 0; only then drop the old key. The services may keep running: each table is
read in batches by primary key, each batch its own transaction; values already under the current
key are skipped, so after an interruption just run it again.

--reindex (rotating LAOMO_BLIND_INDEX_KEY) NEEDS A MAINTENANCE WINDOW: from the moment the
services have the new key until the run ends, look-ups by ID number (duplicate checks, finding a
record, the revocation bar) miss every index not yet recomputed. Stop the services (or at least
every writer), set the new LAOMO_BLIND_INDEX_KEY, run this with --reindex for every SERVICE, then
start them. An index whose source is not stored (an objection's client address) cannot be
recomputed; the command says so.

Exit status: 0 done, 1 a value does not open with any key or the database is not the service's,
2 a usage or configuration error."""


def positive(value):
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def parser():
    p = argparse.ArgumentParser(prog="python -m services.chassis.reseal", description=DESCRIPTION, epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("services", metavar="SERVICE", nargs="+", choices=SERVICES,
                   help=f"a service that seals personal data: {', '.join(SERVICES)}")
    p.add_argument("--batch", type=positive, default=BATCH, metavar="N",
                   help=f"rows per transaction (default {BATCH})")
    p.add_argument("--reindex", action="store_true",
                   help="also recompute every blind index under the current LAOMO_BLIND_INDEX_KEY "
                        "(stop the services first: see below)")
    return p


def main(argv=None, out=None):
    out = out or sys.stdout
    args = parser().parse_args(argv)
    total, failed = Counts(), False
    for service in dict.fromkeys(args.services):
        config = load_config(service_config_path(service))
        try:
            sealer = sealer_from_config(config)
        except PersonalDataError as exc:
            print(f"laomo: {service}: {exc}", file=sys.stderr)
            return 2
        uri = db_uri(config, service)
        print(f"laomo: {service}: {make_url(uri).render_as_string(hide_password=True)}, "
              f"{'re-sealing and re-indexing' if args.reindex else 're-sealing'} in batches of {args.batch}",
              file=out, flush=True)
        metadata = importlib.import_module(f"services.{service}.models").Base.metadata
        db = DatabaseEngine(uri, metadata, service, SystemClock())
        try:
            results = reseal_service(service, db, sealer, args.batch, args.reindex, out)
        except ResealError as exc:
            print(f"laomo: {exc}", file=sys.stderr)
            failed = True
            continue
        finally:
            db.dispose()
        counts = Counts()
        for table_counts in results.values():
            counts.add(table_counts)
        total.add(counts)
        print(f"laomo: {service}: {counts}", file=out, flush=True)
    print(f"laomo: {'stopped by an error; ' if failed else ''}all: {total}", file=out, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
