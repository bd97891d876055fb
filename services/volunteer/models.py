"""The volunteer service's tables: for now the outbox and inbox every service has."""
from sqlalchemy.orm import DeclarativeBase

from services.chassis.database import service_metadata


class Base(DeclarativeBase):
    metadata = service_metadata()
