"""Honourees in bulk: import a CSV file (dry run or for real), export the same columns.

The file format is documented in docs/csv.md. In short: UTF-8 (a leading BOM
is fine), a header of the English column names below, one row per honour;
a person with two honours takes two rows with the same ID number, the
second giving only the ID number and the honour (or repeating the person's
cells exactly).

The import validates every row before anything is written, exactly the same
way in a dry run and a real run: NewHonoureeSchema per person; the managing
unit exists and is in the caller's scope; farmers are managed by a district
union; the honour type is in the catalogue; no ID number twice in the file
for different people, and none already registered (by the ID number's
blind index). A real run writes nothing unless every row is valid, and then
enters each person through ``honourees.register``, the path a single
registration takes (audit trail and events per record), in one transaction.

What would be a query per row is done once: the scope, the units, the honour
catalogue and one query for every blind index in the file.
"""
import base64
import binascii
import contextlib
import csv
import gc
import io
import re
from types import SimpleNamespace

import eventlet
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.chassis.database import UnitOfWork
from services.chassis.errors import Invalid, LaomoError
from services.chassis.id_numbers import normalise
from services.chassis.spreadsheets import cell, uncell

from . import honourees, search
from .domain import Tier
from .models import Honouree, HonourType, Unit
from .people import CATEGORY_FLAGS, Category, HonourStatus
from .schemas import NewHonoureeSchema

# (column, 中文) in the order an export writes them; docs/csv.md explains each
COLUMNS = (
    ("id_number", "公民身份号码"), ("name", "姓名"), ("gender", "性别"), ("ethnicity", "民族"),
    ("birth_date", "出生日期"), ("category", "类别"), ("managing_unit_id", "管理单位"),
    ("management_mode", "管理方式"), ("employment_status", "在职状态"), ("employer", "工作单位"),
    ("position", "职务"), ("education", "学历"), ("political_status", "政治面貌"), ("phone", "联系电话"),
    ("address", "住址"), ("front_line", "一线职工"), ("migrant_worker", "农民工"),
    ("non_public_enterprise", "非公企业"), ("high_tech_enterprise", "高新技术企业"),
    ("beijing_hukou", "北京户籍"), ("family_members", "家庭人口"), ("income_band", "收入水平"),
    ("hardships", "困难类型"), ("honour_type", "荣誉类型"), ("honour_year", "授予年份"),
    ("honour_level", "荣誉级别"), ("conferring_body", "授予机关"),
)
HEADER = tuple(name for name, _ in COLUMNS)
REQUIRED = ("id_number", "name", "gender", "ethnicity", "birth_date", "category", "managing_unit_id")
HONOUR_COLUMNS = ("honour_type", "honour_year", "honour_level", "conferring_body")
PERSON_COLUMNS = tuple(c for c in HEADER if c not in HONOUR_COLUMNS)
FAMILY_COLUMNS = {"family_members": "members", "income_band": "income_band", "hardships": "hardships"}
HONOUR_FIELDS = {"honour_type": "honour_type", "honour_year": "year", "honour_level": "level",
                 "conferring_body": "conferring_body"}
COLUMN_OF_FAMILY_FIELD = {field: column for column, field in FAMILY_COLUMNS.items()}
COLUMN_OF_HONOUR_FIELD = {field: column for column, field in HONOUR_FIELDS.items()}
BOOLEAN_COLUMNS = CATEGORY_FLAGS + ("beijing_hukou",)
CHINESE_BOOLEANS = {"是": "true", "否": "false"}
LIST_SEPARATORS = re.compile(r"[;,；，、]")
EXPORT_LIST_SEPARATOR = ";"
BOM = "\ufeff"
BOM_BYTES = BOM.encode("utf-8")
MAX_ROWS = 50_000
MAX_REPORTED_ERRORS = 1000
YIELD_EVERY = 500  # people checked or entered between two turns for the service's other greenthreads
FILE = "_file"  # the key of errors about the file as a whole
ROW = "_row"    # the key of errors about a row as a whole


class FileRefused(Exception):
    """The file cannot be read as laomo CSV at all: ``(line, {key: [messages]})``."""

    def __init__(self, line, errors):
        super().__init__(line, errors)
        self.line, self.errors = line, errors


# reading the file ----------------------------------------------------------------------------

def line_of(text, index):
    return text.count("\n", 0, index) + 1


def decoded(csv_text=None, csv_base64=None):
    """The file's text. Text must come as text over JSON RPC; raw bytes as base64, decoded
    here as strict UTF-8. A leading BOM is dropped."""
    if (csv_text is None) == (csv_base64 is None):
        raise Invalid("give the file either as csv_text or as csv_base64",
                      {"csv_text": ["give csv_text or csv_base64, not both or neither"]})
    if csv_base64 is not None:
        if not isinstance(csv_base64, str):
            raise Invalid("csv_base64 must be a string", {"csv_base64": ["expected a base64 string"]})
        try:
            raw = base64.b64decode(csv_base64, validate=True)
        except (binascii.Error, ValueError):
            raise Invalid("csv_base64 is not valid base64", {"csv_base64": ["not valid base64"]}) from None
        raw = raw[len(BOM_BYTES):] if raw.startswith(BOM_BYTES) else raw
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise FileRefused(line, {FILE: [
                f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} on line {line}); "
                f"{encoding_hint(raw)}save it as UTF-8 (in Excel: CSV UTF-8) and try again"]}) from None
    else:
        if not isinstance(csv_text, str):
            raise Invalid("csv_text must be a string", {"csv_text": ["expected a string"]})
        text = csv_text[1:] if csv_text.startswith(BOM) else csv_text
    check_text(text)
    return text


def encoding_hint(raw):
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return ""
    return "it reads as GBK/GB18030; "


NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def check_text(text):
    """Refuse text that was decoded with the wrong encoding before it reached us.

    - U+FFFD (the replacement character) means bytes were lost in a lenient decode;
    - mojibake: text with no character beyond U+00FF, yet non-ASCII characters
      that are UTF-8 or GBK bytes read one per byte as Latin-1/Windows-1252
      (every such character comes in runs of two or more; an honest ``é`` in
      "Renée" stays alone and passes).
    """
    lost = text.find("\ufffd")
    if lost >= 0:
        line = line_of(text, lost)
        raise FileRefused(line, {FILE: [
            f"line {line} holds U+FFFD, the mark of bytes lost in decoding: the text was decoded "
            "with the wrong encoding; send the file as UTF-8 text, or its bytes as csv_base64"]})
    runs = NON_ASCII_RUN.findall(text)
    if not runs:
        return
    for codec in ("latin-1", "cp1252"):
        try:
            raw = text.encode(codec)
        except UnicodeEncodeError:
            continue
        if any(len(run) < 2 for run in runs):
            return
        for guess, name in (("utf-8", "UTF-8"), ("gb18030", "GBK/GB18030")):
            try:
                raw.decode(guess)
            except UnicodeDecodeError:
                continue
            line = line_of(text, text.find(runs[0]))
            raise FileRefused(line, {FILE: [
                f"the text looks like {name} bytes decoded as {codec} (mojibake from line {line}, "
                f"{runs[0][:12]!r}); send the file as UTF-8 text, or its bytes as csv_base64"]})
        return


def read_rows(text):
    """``(header, [(line, cells)])``: the header checked, blank rows skipped, cells trimmed."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise FileRefused(1, {FILE: ["the file is empty: the first line must be the header"]})
        header = [cell.strip().lower() for cell in header]
        check_header(header)
        rows, start = [], reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            rows.append((line, cells))
            if len(rows) > MAX_ROWS:
                raise FileRefused(line, {FILE: [f"more than {MAX_ROWS} rows; split the file"]})
    except csv.Error as exc:
        raise FileRefused(reader.line_num, {FILE: [f"not readable as CSV on line {reader.line_num}: {exc}"]}) \
            from None
    return header, rows


def check_header(header):
    errors = {}
    for name in header:
        if name not in HEADER:
            errors.setdefault(name or "(empty)", []).append("unknown column")
        elif header.count(name) > 1:
            errors[name] = ["the column appears more than once"]
    for name in REQUIRED:
        if name not in header:
            errors[name] = ["required column missing"]
    if errors:
        raise FileRefused(1, errors)


# rows into records ---------------------------------------------------------------------------

class Row:
    def __init__(self, line, cells):
        self.line, self.cells = line, cells
        self.errors = {}

    def fail(self, column, message):
        self.errors.setdefault(column, []).append(message)


def person_data(cells):
    """NewHonoureeSchema input from a row's person cells; empty cells are left out."""
    data, family = {}, {}
    for column in PERSON_COLUMNS:
        value = cells.get(column, "")
        if value == "":
            continue
        if column in BOOLEAN_COLUMNS:
            data[column] = CHINESE_BOOLEANS.get(value, value)
        elif column == "hardships":
            family["hardships"] = [h.strip() for h in LIST_SEPARATORS.split(value) if h.strip()]
        elif column in FAMILY_COLUMNS:
            family[FAMILY_COLUMNS[column]] = value
        else:
            data[column] = value
    if family:
        data["family"] = family
    return data


def honour_data(cells):
    return {field: cells[column] for column, field in HONOUR_FIELDS.items() if cells.get(column)}


class Person:
    """The rows of one ID number: the first gives the person, each gives at most one honour."""

    def __init__(self, first, index):
        self.rows = [first]
        self.index = index  # the blind index of the ID number (None without one)
        self.data = person_data(first.cells)
        self.honour_rows = []  # the row of each honour, in order
        self.loaded = None  # NewHonoureeSchema's output, once every row of the person is valid

    def add(self, row):
        """A further row of the same ID number: an honour, the person's cells blank or the same."""
        first = self.rows[0]
        for column in PERSON_COLUMNS:
            value = row.cells.get(column, "")
            if value and column != "id_number" and value != first.cells.get(column, ""):
                row.fail(column, f"differs from line {first.line}, which has the same ID number")
        if not honour_data(row.cells):
            row.fail("id_number", f"the same ID number is on line {first.line}")
        self.rows.append(row)

    def schema_input(self):
        honours = []
        for row in self.rows:
            honour = honour_data(row.cells)
            if honour:
                honours.append(honour)
                self.honour_rows.append(row)
        return dict(self.data, honours=honours)


def spread_errors(person, messages):
    """Spread marshmallow's messages for a person over its rows, keyed by CSV column: the
    person's fields on its first row, each honour's on the row that gave it."""
    first = person.rows[0]
    for key, value in messages.items():
        if key == "family":
            for field, problems in value.items():
                column = COLUMN_OF_FAMILY_FIELD.get(field, "family_members")
                for problem in flatten(problems):
                    first.fail(column, problem)
        elif key == "honours":
            for index, fields in value.items():
                row = person.honour_rows[index] if isinstance(index, int) else first
                items = fields.items() if isinstance(fields, dict) else [("honour_type", fields)]
                for field, problems in items:
                    column = COLUMN_OF_HONOUR_FIELD.get(field, "honour_type")
                    for problem in flatten(problems):
                        row.fail(column, problem)
        else:
            for problem in flatten(value):
                first.fail(ROW if key == "_schema" else key, problem)


def flatten(messages):
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in flatten(value)]
    if isinstance(messages, (list, tuple)):
        return [m for value in messages for m in flatten(value)]
    return [str(messages)]


class Context:
    """What every row is checked against, read once: scope, units, honour types, blind indexes."""

    def __init__(self, session, sealer, actor):
        self.sealer = sealer
        self.scope = set(honourees.in_scope(session, actor))
        self.units = {unit.id: unit for unit in session.scalars(select(Unit))}
        self.honour_types = {t.code: t for t in session.scalars(select(HonourType))}

    def registered(self, session, indexes):
        """The blind indexes among ``indexes`` already held by a record: one query."""
        if not indexes:
            return set()
        return set(session.scalars(select(Honouree.id_number_index)
                                   .where(Honouree.id_number_index.in_(list(indexes)))))


def validate(session, context, rows):
    """Group rows by ID number and check every person; returns the people in file order."""
    schema = NewHonoureeSchema()
    people, by_index = [], {}
    for row in rows:
        number = normalise(row.cells.get("id_number", ""))
        key = context.sealer.blind_index(number) if number else None
        if key is not None and key in by_index:
            by_index[key].add(row)
            continue
        person = Person(row, key)
        people.append(person)
        if key is not None:
            by_index[key] = person
    registered = context.registered(session, by_index)
    for n, person in enumerate(people, start=1):
        check_person(schema, context, person, person.index in registered)
        if n % YIELD_EVERY == 0:
            eventlet.sleep(0)
    return people


def check_person(schema, context, person, registered):
    first = person.rows[0]
    data = person.schema_input()
    try:
        person.loaded = schema.load(data)
    except ValidationError as err:
        spread_errors(person, err.normalized_messages())
    if registered:
        first.fail("id_number", "already registered")
    unit_id = data.get("managing_unit_id")
    unit = context.units.get(unit_id) if unit_id else None
    if unit_id and unit is None:
        first.fail("managing_unit_id", f"no unit {unit_id!r}")
    elif unit is not None and unit.id not in context.scope:
        first.fail("managing_unit_id", "outside the caller's scope")
    elif unit is not None and data.get("category") == Category.FARMER.value and unit.tier is not Tier.DISTRICT:
        first.fail("managing_unit_id", "a farmer's managing unit must be a district union")
    seen = {}
    for row, honour in zip(person.honour_rows, data["honours"]):
        code = honour.get("honour_type")
        known = context.honour_types.get(code)
        if code and (known is None or not known.active):
            row.fail("honour_type", f"no honour type {code!r}")
        same = (code, honour.get("year"))
        if code and same in seen:
            row.fail("honour_year", f"the same honour is on line {seen[same]}")
        seen.setdefault(same, row.line)
    if any(row.errors for row in person.rows):
        person.loaded = None


# the import ----------------------------------------------------------------------------------

class CollectedTable:
    """Stands in for the audit log's or the outbox's table while an import writes: the chassis's
    ``record_change`` and ``record_event`` build each row exactly as always and hand it to
    ``insert().values(**row)``, which here only keeps it; ``write`` sends them all at once."""

    def __init__(self, table):
        self.table = table
        self.rows = []

    def insert(self):
        return self

    def values(self, **row):
        return CollectedRow(self, row)

    def write(self, session):
        if self.rows:
            session.execute(self.table.insert(), self.rows)  # one executemany
        self.rows = []


class CollectedRow:
    __slots__ = ("table", "row")

    def __init__(self, table, row):
        self.table, self.row = table, row


class CollectingSession:
    """The import's session: the worker's own, except that executing a collected row keeps it."""

    def __init__(self, session):
        self._session = session

    def execute(self, statement, *args, **kwargs):
        if isinstance(statement, CollectedRow):
            statement.table.rows.append(statement.row)
            return None
        return self._session.execute(statement, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._session, name)


class CollectingDatabase:
    """The database as ``honourees.register`` and the chassis see it during an import: the same,
    but for the audit log's and the outbox's tables, which collect their rows."""

    def __init__(self, database):
        self._database = database
        self.audit_log = CollectedTable(database.metadata.tables["audit_log"])
        self.outbox = CollectedTable(database.outbox)
        self.metadata = SimpleNamespace(tables={**database.metadata.tables, "audit_log": self.audit_log})

    def __getattr__(self, name):
        return getattr(self._database, name)


class BatchedWrites(UnitOfWork):
    """``honourees.register``'s unit of work during an import. Every record goes through
    register (and confer), ``record_change`` and ``record_event`` as a single registration
    does, building the same rows, audit entries and events; only the writing differs: the
    ORM's rows in one flush, the audit log's and the outbox's rows in one executemany each
    (``write``), all in the worker's transaction, which commits or rolls back as always."""

    def __init__(self, uow):
        super().__init__(CollectingDatabase(uow.database), uow.context)
        self.outer = uow
        self.collecting = CollectingSession(uow.session)

    @property
    def session(self):
        return self.collecting

    def write(self):
        session = self.outer.session
        session.flush()
        self.database.audit_log.write(session)
        self.database.outbox.write(session)
        self.outer.recorded_events += self.recorded_events  # the relay is woken after the commit
        self.recorded_events = 0

    def commit(self):
        raise RuntimeError("an import's writes commit with the worker's unit of work")

    rollback = commit


def report(status, dry_run, rows, people=()):
    failing = sorted((row for row in rows if row.errors), key=lambda r: r.line)
    result = {"status": status, "dry_run": dry_run, "rows": len(rows),
              "valid": len(rows) - len(failing), "invalid": len(failing),
              "people": len(people), "honours": sum(len(p.honour_rows) for p in people),
              "errors": [{"row": row.line, "errors": row.errors} for row in failing[:MAX_REPORTED_ERRORS]]}
    if len(failing) > MAX_REPORTED_ERRORS:
        result["errors_not_listed"] = len(failing) - MAX_REPORTED_ERRORS
    return result


def file_refused(dry_run, refused):
    """The report on a file that could not be read: no rows, the reason at its line."""
    return dict(report("refused", dry_run, []), errors=[{"row": refused.line, "errors": refused.errors}])


def import_honourees(uow, sealer, actor, csv_text=None, dry_run=True, csv_base64=None):
    """Check a CSV file of honourees and, unless ``dry_run``, enter all of them or none.

    The report: ``status`` (dry run: valid | invalid; real run: imported |
    refused; a file that cannot be read: refused), ``rows`` (data rows),
    ``valid``, ``invalid``, ``people``, ``honours``, and ``errors``: ``[{row:
    the 1-based line number in the file, errors: {column: [messages]}}]``;
    a real run that imported also gives ``imported`` (people entered).
    """
    if not isinstance(dry_run, bool):
        raise Invalid("dry_run must be true or false", {"dry_run": ["expected a boolean"]})
    with cyclic_gc_paused():
        return checked_and_imported(uow, sealer, actor, csv_text, dry_run, csv_base64)


@contextlib.contextmanager
def cyclic_gc_paused():
    """Python's cycle collector off for the import: tens of thousands of live objects (rows,
    records, pending ORM objects) would otherwise be walked again and again by full
    collections, a third of an import's time. Reference counting still frees everything;
    the collector runs again as soon as the import ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def checked_and_imported(uow, sealer, actor, csv_text, dry_run, csv_base64):
    try:
        header, raw_rows = read_rows(decoded(csv_text, csv_base64))
    except FileRefused as refused:
        return file_refused(dry_run, refused)
    rows = [Row(line, {name: uncell(cell.strip()) for name, cell in zip(header, cells)})
            for line, cells in raw_rows]
    for row, (_, cells) in zip(rows, raw_rows):
        if len(cells) > len(header):
            row.fail(ROW, f"{len(cells)} cells but the header has {len(header)} columns")
    if dry_run:  # on a read-only connection: no write lock held while checking
        with uow.database.reading_session() as session:
            people = validate(session, Context(session, sealer, actor), rows)
        return report("invalid" if any(row.errors for row in rows) else "valid", True, rows, people)
    session = uow.session  # the write transaction: nothing can slip in between check and write
    context = Context(session, sealer, actor)
    people = validate(session, context, rows)
    if any(row.errors for row in rows):
        return report("refused", False, rows, people)
    batch = BatchedWrites(uow)
    try:
        with session.begin_nested(), session.no_autoflush:
            for n, person in enumerate(people, start=1):
                honourees.register(batch, sealer, actor, person.loaded, scope=context.scope, checked=True)
                if n % YIELD_EVERY == 0:
                    eventlet.sleep(0)
            batch.write()
    except LaomoError as exc:  # a rule only the write path knows: nothing stays written
        first = person.rows[0]
        for key, value in (exc.details or {}).items():
            if isinstance(value, list):
                first.errors.setdefault(key, []).extend(str(v) for v in value)
        first.errors.setdefault(ROW, []).append(exc.message)
        return report("refused", False, rows, people)
    except IntegrityError:  # PostgreSQL: another transaction entered one of these ID numbers meanwhile
        return file_refused(False, FileRefused(1, {FILE: [
            "another change entered one of these ID numbers while the file was imported; "
            "nothing was imported: check the file again (dry run) and import it again"]}))
    result = report("imported", False, rows, people)
    result["imported"] = len(people)
    return result


# the export ----------------------------------------------------------------------------------

def person_cells(honouree, actor, sealer):
    clear = actor.personal_data
    cells = {column: "" for column in HEADER}
    for name in ("name", "ethnicity", "phone", "address", "education", "political_status", "employer",
                 "position", "managing_unit_id"):
        cells[name] = getattr(honouree, name) or ""
    for name in ("gender", "category", "employment_status", "management_mode"):
        cells[name] = getattr(honouree, name).value
    for flag in BOOLEAN_COLUMNS:
        cells[flag] = "true" if getattr(honouree, flag) else "false"
    cells["birth_date"] = honouree.birth_date.isoformat()
    cells["id_number"] = sealer.unseal(honouree.id_number_sealed) if clear else honouree.id_number_masked
    cells["family_members"] = "" if honouree.family_members is None else str(honouree.family_members)
    if clear:
        cells["income_band"] = honouree.income_band.value if honouree.income_band else ""
        cells["hardships"] = EXPORT_LIST_SEPARATOR.join(h for h in (honouree.hardships or "").split(",") if h)
    else:
        cells["income_band"] = cells["hardships"] = honourees.HIDDEN
    return cells


def export_honourees(session, sealer, actor, params, today):
    """Every record matching the search filters as CSV in the import's columns, with a BOM
    (so Excel reads it as UTF-8): one row per active honour, one row for a record without one.
    ID numbers, income band and hardships are masked unless the actor holds the right."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for honouree, honours in search.each_match(session, actor, params, today):
        cells = person_cells(honouree, actor, sealer)
        active = [h for h in honours if h.status is HonourStatus.ACTIVE]
        for honour in active or [None]:
            if honour is not None:
                cells.update(honour_type=honour.honour_type, honour_year=str(honour.year),
                             honour_level=honour.level.value, conferring_body=honour.conferring_body)
            writer.writerow([cell(cells[column]) for column in HEADER])
    return out.getvalue()
