"""The registry service (北京劳模信息数据库): entrypoints only.

Every entrypoint that reads or changes honourees takes the ``actor`` (account,
unit, roles, personal-data right) first and works within the actor's scope.
"""
from sqlalchemy import select

from services.chassis.actor import load_actor
from services.chassis.database import Database
from services.chassis.personal_data import PersonalData
from services.chassis.rpc import rpc
from services.chassis.schemas import load, page_of
from services.chassis.service import LaomoService

from . import honourees, tree
from .models import Base, HonourType
from .schemas import (
    CreateUnitSchema, HonourInputSchema, HonoureeChangesSchema, NewHonoureeSchema,
    UnitQuerySchema, UnitSchema,
)

units_out = UnitSchema(many=True)
unit_out = UnitSchema()


class RegistryService(LaomoService):
    name = "registry"

    db = Database(Base.metadata)
    sealer = PersonalData()

    # --- the union tree -----------------------------------------------------------------------

    @rpc
    def get_unit(self, unit_id):
        return unit_out.dump(tree.get_unit(self.db.session, unit_id))

    @rpc
    def get_units(self, unit_ids):
        return units_out.dump(tree.get_units(self.db.session, unit_ids))

    @rpc
    def list_children(self, unit_id):
        return units_out.dump(tree.children(self.db.session, unit_id))

    @rpc
    def scope_of(self, unit_id):
        """The ids a caller acting for ``unit_id`` may see: the unit and all below it, both trees."""
        return tree.scope(self.db.session, unit_id)

    @rpc
    def list_units(self, query=None):
        params = load(UnitQuerySchema(), query or {}, "query")
        items, total = tree.list_units(self.db.session, **params)
        return page_of(units_out.dump(items), total, params["page"], params["page_size"])

    @rpc
    def create_unit(self, data):
        unit = tree.add_unit(self.db.session, load(CreateUnitSchema(), data, "unit"), self.clock.now())
        return unit_out.dump(unit)

    # --- honourees and honours ----------------------------------------------------------------

    @rpc(sensitive_arguments=("data.id_number", "data.family"))
    def register_honouree(self, actor, data):
        actor = load_actor(actor)
        record = honourees.register(self.db, self.sealer, actor, load(NewHonoureeSchema(), data, "honouree"))
        return honourees.view(record, actor, self.sealer)

    @rpc
    def get_honouree(self, actor, honouree_id):
        actor = load_actor(actor)
        return honourees.view(honourees.get(self.db.session, actor, honouree_id), actor, self.sealer)

    @rpc(sensitive_arguments=("changes.id_number", "changes.family"))
    def correct_honouree(self, actor, honouree_id, changes):
        actor = load_actor(actor)
        record = honourees.correct(self.db, self.sealer, actor, honouree_id,
                                   load(HonoureeChangesSchema(), changes, "correction"))
        return honourees.view(record, actor, self.sealer)

    @rpc
    def confer_honour(self, actor, honouree_id, data):
        actor = load_actor(actor)
        honouree = honourees.get(self.db.session, actor, honouree_id)
        honour = honourees.confer(self.db, actor, honouree, load(HonourInputSchema(), data, "honour"))
        return honourees.honour_view(honour)

    @rpc
    def list_honour_types(self):
        types = self.db.session.scalars(select(HonourType).order_by(HonourType.level, HonourType.code))
        return [{"code": t.code, "name": t.name, "name_en": t.name_en, "level": t.level.value,
                 "conferring_body": t.conferring_body, "active": t.active} for t in types]

    @rpc
    def audit_trail(self, actor, entity, entity_id):
        actor = load_actor(actor)
        return honourees.audit_trail(self.db.session, actor, entity, entity_id)

    # --- annual verification, major-change reports, to-do lists, transfers ---------------------

    # --- revocation, and honours conferred by nomination ---------------------------------------

    # --- search, get many, statistics, import and export ---------------------------------------
