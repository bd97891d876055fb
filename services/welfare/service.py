"""The welfare service: entrypoints only."""
from services.chassis.database import Database
from services.chassis.service import LaomoService

from .models import Base


class WelfareService(LaomoService):
    name = "welfare"

    db = Database(Base.metadata)
