"""One paying process of the concurrency tests (not a test module): waits for the start
(``chassis.testing.run_together``), then sends its posting requests one after another and prints each
answer as a JSON line.

    python -m services.welfare.tests.payer DB_URI REQUESTS_JSON NOW
"""
import json
import sys
from datetime import datetime

from services.chassis.actor import Actor
from services.chassis.clock import FrozenClock
from services.chassis.database import DatabaseEngine
from services.chassis.errors import LaomoError
from services.chassis.testing import wait_for_the_start
from services.welfare import funds, ledger
from services.welfare.models import Base


def main(uri, requests, now):
    engine = DatabaseEngine(uri, Base.metadata, "welfare", FrozenClock(datetime.fromisoformat(now)))
    actor = Actor("payer", "bj-haidian", ("finance",))
    with engine.reading() as connection:  # connected before the start
        connection.exec_driver_sql("SELECT 1")
    wait_for_the_start()
    for request in requests:
        try:
            answer = ledger.post_request(engine, actor, request, None, funds.posting_view)
            print(json.dumps({"posted": answer["id"]}), flush=True)
        except LaomoError as refusal:
            print(json.dumps({"refused": refusal.code, "message": refusal.message}), flush=True)
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], json.loads(sys.argv[2]), sys.argv[3])
