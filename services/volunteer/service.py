"""The volunteer service: entrypoints only."""
from services.chassis.database import Database
from services.chassis.service import LaomoService

from .models import Base


class VolunteerService(LaomoService):
    name = "volunteer"

    db = Database(Base.metadata)
