"""The volunteer service (首都劳模志愿服务团): the corps' teams and volunteers,
activities and sign-ups, attendance and service hours, the end of honouree roles on the registry's
``honour_revoked``, and public-welfare projects whose donations go into the welfare ledger. Entrypoints only, one
mixin per part; the rules are in the part's module (``corps.py``, ``activities.py``, ``attendance.py``,
``revocations.py``, ``projects.py``).

Every entrypoint that reads or changes records takes the ``actor`` first and filters by the actor's
scope (the registry's union tree, asked once per call before any transaction opens). Honourees come
from the registry's ``roster``.
"""
from services.chassis.database import Database
from services.chassis.metrics import BusinessGauges
from services.chassis.rpc import RpcClient
from services.chassis.service import LaomoService

from .entrypoints.activities import ActivityEntrypoints
from .entrypoints.attendance import AttendanceEntrypoints
from .entrypoints.corps import CorpsEntrypoints
from .entrypoints.projects import ProjectEntrypoints
from .entrypoints.revocations import RevocationEntrypoints
from .gauges import figures
from .models import Base


class VolunteerService(CorpsEntrypoints, ActivityEntrypoints, AttendanceEntrypoints, RevocationEntrypoints,
                       ProjectEntrypoints, LaomoService):
    name = "volunteer"

    db = Database(Base.metadata)
    business_gauges = BusinessGauges(figures)
    registry = RpcClient("registry")  # the union tree and the roster of honourees
    welfare = RpcClient("welfare")  # the ledger's ``post``: donations into the mutual-aid fund
