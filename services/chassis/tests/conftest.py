"""Fixtures of the chassis's own service tests."""
import pytest

from services.chassis.database import make_engine

from .parcels import ParcelBase, ReceiptBase


@pytest.fixture
def databases(new_db_uri):
    """A database each for the parcel and the receipt service, with their tables."""
    uris = {"parcels": new_db_uri("parcels"), "receipts": new_db_uri("receipts")}
    for name, base in (("parcels", ParcelBase), ("receipts", ReceiptBase)):
        engine = make_engine(uris[name])
        base.metadata.create_all(engine)
        engine.dispose()
    return uris
