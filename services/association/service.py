"""The association service: entrypoints only."""
from services.chassis.database import Database
from services.chassis.service import LaomoService

from .models import Base


class AssociationService(LaomoService):
    name = "association"

    db = Database(Base.metadata)
