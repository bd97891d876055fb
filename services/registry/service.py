"""The registry service (北京劳模信息数据库): entrypoints only."""
from services.chassis.database import Database
from services.chassis.rpc import rpc
from services.chassis.schemas import load, page_of
from services.chassis.service import LaomoService

from . import tree
from .models import Base
from .schemas import CreateUnitSchema, UnitQuerySchema, UnitSchema

units_out = UnitSchema(many=True)
unit_out = UnitSchema()


class RegistryService(LaomoService):
    name = "registry"

    db = Database(Base.metadata)

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
