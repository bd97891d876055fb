"""One signing-up process of the race tests and the benchmark (not a test module): waits for the
start (``chassis.testing.run_together``), then signs its volunteers up for the activity (or, given [activity id, volunteer id] pairs,
for each pair's activity) one after another, each in a unit of
work of its own as a worker would, and prints each answer as a JSON line.

    python -m services.volunteer.tests.signer DB_URI ACTIVITY_ID VOLUNTEER_IDS_JSON SCOPE_JSON NOW
"""
import json
import sys
from datetime import datetime

from services.chassis.actor import Actor
from services.chassis.clock import FrozenClock
from services.chassis.database import DatabaseEngine
from services.chassis.errors import LaomoError
from services.chassis.testing import wait_for_the_start
from services.volunteer import activities
from services.volunteer.models import Base


def main(uri, activity_id, volunteer_ids, scope, now):
    engine = DatabaseEngine(uri, Base.metadata, "volunteer", FrozenClock(datetime.fromisoformat(now)))
    actor = Actor("signer", "bj-haidian", ("officer",))
    scope = frozenset(scope)
    with engine.reading() as connection:  # connected and warm before the start
        connection.exec_driver_sql("SELECT 1")
    wait_for_the_start()
    for volunteer_id in volunteer_ids:
        target = activity_id
        if isinstance(volunteer_id, list):  # [activity id, volunteer id]: an activity of its own
            target, volunteer_id = volunteer_id
        try:
            with engine.unit_of_work() as uow:
                made = activities.sign_up(uow, actor, target, {"volunteer_id": volunteer_id}, scope)
                answer = {"signup_id": made.id, "status": made.status.value, "seq": made.seq}
            print(json.dumps(answer), flush=True)
        except LaomoError as refusal:
            print(json.dumps({"refused": refusal.code, "message": refusal.message}), flush=True)
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4]), sys.argv[5])
