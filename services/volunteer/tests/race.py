"""The sign-up race (not a test module): PROCESSES processes of ``signer`` started at one signal, used
by test_signup_race.py and bench/volunteer.py."""
import json
import subprocess
import sys
import time

PROCESSES = 8


def race(uri, start_file, activity_id, volunteer_ids, scope, now, processes=PROCESSES):
    """Sign ``volunteer_ids`` up for the activity from ``processes`` processes at once: (answers, seconds
    from the start signal to the last answer)."""
    shares = [volunteer_ids[i::processes] for i in range(processes)]
    signers = [subprocess.Popen([sys.executable, "-m", "services.volunteer.tests.signer", uri, str(start_file),
                                 activity_id, json.dumps(share), json.dumps(sorted(scope)), now],
                                stdout=subprocess.PIPE, text=True) for share in shares]
    deadline = time.monotonic() + 120
    while len(list(start_file.parent.glob(start_file.name + ".ready-*"))) < processes:  # all waiting for it
        assert time.monotonic() < deadline and all(s.poll() is None for s in signers), "a signer did not start"
        time.sleep(0.01)
    started = time.perf_counter()
    start_file.touch()
    answers = []
    for signer in signers:
        out, _ = signer.communicate(timeout=300)
        assert signer.returncode == 0, f"a signer failed ({signer.returncode})"
        answers += [json.loads(line) for line in out.splitlines()]
    return answers, time.perf_counter() - started
