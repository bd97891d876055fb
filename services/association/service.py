"""The association service (劳模协会): real-name membership, innovation studios, the suggestion
express lane and its research results, learning and exchange events, and the organs. Entrypoints
only, one mixin per part.

Every entrypoint that reads or changes records takes the ``actor`` first and filters by the
actor's scope (the registry's union tree, asked once per call before any transaction opens).
Whether a person may join comes from the registry's ``roster``; the association keeps no copy
of the records.
"""
from services.chassis.database import Database
from services.chassis.metrics import BusinessGauges
from services.chassis.rpc import RpcClient
from services.chassis.service import LaomoService

from .entrypoints.learning import LearningEntrypoints
from .entrypoints.membership import MembershipEntrypoints
from .entrypoints.organs import OrganEntrypoints
from .entrypoints.research import ResearchEntrypoints
from .entrypoints.studios import StudioEntrypoints
from .entrypoints.suggestions import SuggestionEntrypoints
from .gauges import figures
from .models import Base


class AssociationService(MembershipEntrypoints, StudioEntrypoints, SuggestionEntrypoints, LearningEntrypoints,
                         OrganEntrypoints, ResearchEntrypoints, LaomoService):
    name = "association"

    db = Database(Base.metadata)
    business_gauges = BusinessGauges(figures)
    registry = RpcClient("registry")  # the union tree and the roster of honourees
