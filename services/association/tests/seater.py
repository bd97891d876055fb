"""One seating process of the seat race (not a test module): waits for the start
(``chassis.testing.run_together``), then gives the honouree a seat on the organ in a unit of work of
its own, as a worker would, and prints the answer as a JSON line.

    python -m services.association.tests.seater DB_URI ORGAN_ID HONOUREE_ID SCOPE_JSON NOW
"""
import json
import sys
from datetime import datetime, timedelta

from services.association import organs
from services.association.models import Base
from services.chassis.actor import Actor
from services.chassis.clock import FrozenClock
from services.chassis.database import DatabaseEngine
from services.chassis.errors import LaomoError
from services.chassis.testing import wait_for_the_start


def main(uri, organ_id, honouree_id, scope, now):
    now = datetime.fromisoformat(now)
    engine = DatabaseEngine(uri, Base.metadata, "association", FrozenClock(now))
    actor = Actor("seater", "bj", ("officer",))
    row = {"honouree_id": honouree_id, "managing_unit_id": "hd-bank"}
    with engine.reading() as connection:  # connected and warm before the start
        connection.exec_driver_sql("SELECT 1")
    wait_for_the_start()
    try:
        with engine.unit_of_work() as uow:
            organ = organs.add_seat(uow, actor, organ_id, {"position": "director"}, row, frozenset(scope),
                                    (now + timedelta(hours=8)).date())
            answer = {"seated": sum(1 for s in organ.seats if s.honouree_id == honouree_id and s.ended_on is None)}
        print(json.dumps(answer), flush=True)
    except LaomoError as refusal:
        print(json.dumps({"refused": refusal.code, "details": refusal.details}), flush=True)
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), sys.argv[5])
