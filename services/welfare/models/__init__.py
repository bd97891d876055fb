"""The welfare service's tables, one module per part of the work; ``Base.metadata`` holds them all
(and the outbox, inbox and audit trail every service has).

Unit and honouree ids are the registry's: plain strings here, no foreign key. Money is integer
fen (分). Personal data (family income, health results) is sealed (``*_sealed``: Fernet tokens).
"""
from sqlalchemy.orm import DeclarativeBase

from services.chassis.audit import audit_table
from services.chassis.database import service_metadata


class Base(DeclarativeBase):
    metadata = service_metadata()


audit_table(Base.metadata)

# every part's tables, so Base.metadata is whole wherever it is imported
from . import cards, care, hardship, health, ledger, recuperation, stops  # noqa: E402,F401

# Personal data at rest, for `python -m services.chassis.reseal welfare`: every sealed column (a Fernet token).
# Welfare keeps no blind index. None of these tables is append-only (only postings is).
SEALED_COLUMNS = ("hardship_applications.facts_sealed", "sick_visits.notes_sealed", "health_check_ups.results_sealed")
BLIND_INDEXES = ()
