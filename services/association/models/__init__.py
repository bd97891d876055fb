"""The association service's tables (劳模协会), one module per part of the work; ``Base.metadata``
holds them all (and the outbox, inbox and audit trail every service has).

Unit and honouree ids are the registry's: plain strings here, no foreign key.
"""
from sqlalchemy.orm import DeclarativeBase

from services.chassis.audit import audit_table
from services.chassis.database import service_metadata


class Base(DeclarativeBase):
    metadata = service_metadata()


audit_table(Base.metadata)

# every part's tables, so Base.metadata is whole wherever it is imported
from . import learning, membership, organs, research, studios, suggestions  # noqa: F401
