"""Two small services the chassis tests run: one records parcels, one receives them.

``ParcelService.send`` stores a parcel and records ``parcel_sent`` in the
outbox; ``ReceiptService`` handles ``parcel_sent`` by storing a receipt, so a
test can count effects. Config ``FAIL_RECEIPTS`` makes the handler fail.
"""
from nameko.dependency_providers import Config
from sqlalchemy import String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.chassis.database import Database, service_metadata
from services.chassis.errors import NotFound
from services.chassis.events import event_handler
from services.chassis.rpc import RpcClient, rpc
from services.chassis.service import LaomoService


class ParcelBase(DeclarativeBase):
    metadata = service_metadata()


class Parcel(ParcelBase):
    __tablename__ = "parcels"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    content: Mapped[str] = mapped_column(String(200))


class ReceiptBase(DeclarativeBase):
    metadata = service_metadata()


class Receipt(ReceiptBase):
    __tablename__ = "receipts"
    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_id: Mapped[str] = mapped_column(String(40))
    content: Mapped[str] = mapped_column(String(200))


class ParcelService(LaomoService):
    name = "parcels"
    db = Database(ParcelBase.metadata)

    @rpc
    def send(self, parcel_id, content, fail_after_write=False):
        self.db.session.add(Parcel(id=parcel_id, content=content))
        self.db.record_event("parcel_sent", {"parcel_id": parcel_id, "content": content})
        if fail_after_write:
            raise RuntimeError("the change fails after writing")
        return parcel_id

    @rpc
    def get(self, parcel_id):
        parcel = self.db.session.get(Parcel, parcel_id)
        if parcel is None:
            raise NotFound(f"no parcel {parcel_id!r}", {"parcel_id": parcel_id})
        return {"id": parcel.id, "content": parcel.content}

    @rpc
    def count(self):
        return self.db.session.scalar(select(func.count()).select_from(Parcel))

    @rpc
    def slow(self, seconds):
        import eventlet
        eventlet.sleep(seconds)
        return "late"


class ReceiptService(LaomoService):
    name = "receipts"
    db = Database(ReceiptBase.metadata)
    config = Config()
    parcels = RpcClient("parcels")

    @event_handler("parcels", "parcel_sent")
    def on_parcel_sent(self, event):
        if self.config.get("FAIL_RECEIPTS"):
            raise RuntimeError("receipt printer jammed")
        self.db.session.add(Receipt(parcel_id=event["parcel_id"], content=event["content"]))

    @rpc
    def receipts(self):
        return [[r.parcel_id, r.content] for r in self.db.session.scalars(select(Receipt).order_by(Receipt.id))]

    @rpc
    def ask_parcel(self, parcel_id):
        return self.parcels.get(parcel_id)

    @rpc
    def ask_slow(self, seconds):
        return self.parcels.slow(seconds)
