"""The nomination service: entrypoints only."""
from services.chassis.database import Database
from services.chassis.service import LaomoService

from .models import Base


class NominationService(LaomoService):
    name = "nomination"

    db = Database(Base.metadata)
