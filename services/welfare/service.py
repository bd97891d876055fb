"""The welfare service (关爱帮扶、待遇、经费): the ledger of the special funds, care, hardship aid,
recuperation, health check-ups and service cards. Entrypoints only, one mixin per part.

Every entrypoint that reads or changes records takes the ``actor`` first and filters by the
actor's scope (the registry's union tree, asked once per call before any transaction opens).
Who is cared for comes from the registry's ``roster``; welfare keeps no copy of the records.
"""
from services.chassis.database import Database
from services.chassis.metrics import BusinessGauges
from services.chassis.personal_data import PersonalData
from services.chassis.rpc import RpcClient
from services.chassis.service import LaomoService

from .entrypoints.cards import CardEntrypoints
from .entrypoints.care import CareEntrypoints
from .entrypoints.hardship import HardshipEntrypoints
from .entrypoints.health import HealthEntrypoints
from .entrypoints.ledger import LedgerEntrypoints
from .entrypoints.recuperation import RecuperationEntrypoints
from .entrypoints.stops import StopEntrypoints
from .gauges import figures
from .models import Base


class WelfareService(LedgerEntrypoints, CareEntrypoints, HardshipEntrypoints, RecuperationEntrypoints,
                     HealthEntrypoints, CardEntrypoints, StopEntrypoints, LaomoService):
    name = "welfare"

    db = Database(Base.metadata)
    business_gauges = BusinessGauges(figures)
    sealer = PersonalData()
    registry = RpcClient("registry")  # the union tree and the roster of honourees
