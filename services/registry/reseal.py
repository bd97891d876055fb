"""Re-seal every stored ID number under the current personal-data key (key rotation).

    LAOMO_PERSONAL_DATA_KEYS=<new>,<old> python -m services.registry.reseal

Put the new key first, run this, then drop the old key. It works in batches,
each its own transaction, and can be run again after an interruption: values
already under the current key are skipped. The blind index does not change.
"""
import argparse
import sys

from sqlalchemy import select

from services.chassis.clock import SystemClock
from services.chassis.config import db_uri, load_config, service_config_path
from services.chassis.database import DatabaseEngine
from services.chassis.personal_data import sealer_from_config

from .models import Base, Honouree

BATCH = 500


def reseal_all(db, sealer, batch=BATCH):
    """Returns (records examined, records re-sealed)."""
    examined = resealed = 0
    last_id = ""
    while True:
        with db.unit_of_work() as uow:
            rows = uow.session.scalars(
                select(Honouree).where(Honouree.id > last_id).order_by(Honouree.id).limit(batch)).all()
            for honouree in rows:
                if not sealer.is_current(honouree.id_number_sealed):
                    honouree.id_number_sealed = sealer.reseal(honouree.id_number_sealed)
                    resealed += 1
            examined += len(rows)
        if len(rows) < batch:
            return examined, resealed
        last_id = rows[-1].id


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m services.registry.reseal", description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    config = load_config(service_config_path("registry"))
    db = DatabaseEngine(db_uri(config, "registry"), Base.metadata, "registry", SystemClock())
    examined, resealed = reseal_all(db, sealer_from_config(config))
    db.dispose()
    print(f"laomo: {resealed} of {examined} ID numbers re-sealed under the current key")
    return 0


if __name__ == "__main__":
    sys.exit(main())
