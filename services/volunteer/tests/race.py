"""The sign-up race (not a test module): PROCESSES processes of ``signer`` started at one signal, used
by test_signup_race.py and bench/volunteer.py."""
import json
import sys

from services.chassis.testing import run_together

PROCESSES = 8


def race(uri, activity_id, volunteer_ids, scope, now, processes=PROCESSES):
    """Sign ``volunteer_ids`` up for the activity from ``processes`` processes at once: (answers, seconds
    from the start signal to the last answer)."""
    shares = [volunteer_ids[i::processes] for i in range(processes)]
    return run_together([[sys.executable, "-m", "services.volunteer.tests.signer", uri, activity_id,
                          json.dumps(share), json.dumps(sorted(scope)), now] for share in shares])
