"""The issue's test: "A condolence batch of 20,000 killed in the middle and resumed: exactly one payment each."

The welfare service runs as a real process (``nameko run``, as scripts/suite.sh starts it) on a
SQLite file of its own under tmp_path and a RabbitMQ vhost of its own, beside a stand-in registry
(a tiny nameko service in this process) that answers ``scope_of`` and ``roster`` for 20,000
honourees. The run is started over RPC; when some but not all are paid the process is killed with
SIGKILL; a new process is started, picks the batch up when the dead runner's lease runs out, and
finishes it. Then every honouree has exactly one posting and one ``condolence_paid`` event, every
item is paid with its posting, and the ledger's invariants hold.

The process runs with its outbox relay off (``OUTBOX_RELAY: false``): the events are counted in
the outbox, where the payments' transactions wrote them; publishing them is the relay's own
tested business and would only slow the test. The lease is 3 s (``CONDOLENCE_LEASE_SECONDS``), so
the restarted process takes the dead one's batch over quickly.
"""
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid

import pytest
import requests
from nameko.containers import ServiceContainer
from nameko.exceptions import UnknownService
from nameko.rpc import rpc
from nameko.standalone.rpc import ClusterRpcProxy

from services.chassis.actor import Actor
from services.chassis.clock import SystemClock
from services.chassis.database import DatabaseEngine
from services.chassis.migrations import upgrade
from services.chassis.personal_data import new_key
from services.chassis.testing import wait_for
from services.welfare import invariants
from services.welfare.models import Base

from .money import CONDOLENCE_AMOUNTS, condolence_campaign_for_everyone

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PEOPLE = 20_000
UNIT = "bj-haidian"
SCOPE = frozenset({UNIT, "hd-bank"})
ACTOR = {"account": "haidian.finance", "unit_id": UNIT, "roles": ["finance", "officer"], "personal_data": False}
AMOUNTS = CONDOLENCE_AMOUNTS
LEASE_SECONDS = 3


def roster_rows(count=PEOPLE):
    levels = ["national"] + ["municipal"] * 8 + ["district"]
    return [{"honouree_id": f"h{n:05d}", "name": "劳模", "gender": "male", "birth_date": "1970-05-06",
             "category": "worker", "employment_status": "in_service", "managing_unit_id": "hd-bank",
             "district_id": UNIT, "honour_levels": [levels[n % 10]], "highest_level": levels[n % 10],
             "eligible": True} for n in range(count)]


class StandInRegistry:
    """The registry as the welfare service asks it here: the scope and the eligible roster."""

    name = "registry"
    rows = roster_rows()

    @rpc
    def scope_of(self, unit_id):
        return sorted(SCOPE) if unit_id == UNIT else [unit_id]

    @rpc
    def roster(self, actor, query=None):
        return self.rows if actor["unit_id"] == UNIT else []

    @rpc
    def get_unit(self, unit_id):
        return {"id": unit_id, "name": unit_id, "tier": "district", "parent_id": "bj", "system_parent_id": None,
                "created_at": "2015-01-09T00:00:00+00:00"}


@pytest.fixture
def vhost(request):
    amqp_uri = request.config.getoption("RABBIT_AMQP_URI")
    api = request.config.getoption("RABBIT_API_URI").rstrip("/") + "/api"
    name = f"laomo-crash-{uuid.uuid4().hex[:8]}"
    requests.put(f"{api}/vhosts/{name}").raise_for_status()
    requests.put(f"{api}/permissions/{name}/guest",
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    yield amqp_uri.rstrip("/") + "/" + name
    requests.delete(f"{api}/vhosts/{name}")


def prepared(uri):
    """A fund with the money and the condolence budget for everyone, and a campaign paid from it."""
    upgrade("welfare", uri)
    engine = DatabaseEngine(uri, Base.metadata, "welfare", SystemClock())
    try:
        return condolence_campaign_for_everyone(engine, Actor(ACTOR["account"], UNIT, ("finance", "officer")),
                                                SCOPE, "hd-crash")
    finally:
        engine.dispose()


def start_welfare(tmp_path, vhost, uri, n):
    """`nameko run` of the welfare service, with a short lease (so the restart need not wait long)."""
    config = tmp_path / "welfare.yml"
    with open(os.path.join(ROOT, "services/welfare/config.yml"), encoding="utf-8") as f:
        text = f.read()
    config.write_text(text + f"\nCONDOLENCE_LEASE_SECONDS: {LEASE_SECONDS}\nOUTBOX_RELAY: false\n", encoding="utf-8")
    env = dict(os.environ, AMQP_URI=vhost, WELFARE_DB_URI=uri, WELFARE_METRICS_PORT="0", LOG_LEVEL="INFO",
               RPC_TIMEOUT="30", LAOMO_PERSONAL_DATA_KEYS=new_key(), LAOMO_BLIND_INDEX_KEY=new_key(),
               PYTHONWARNINGS="ignore")
    env.pop("LAOMO_CLOCK_FILE", None)
    log = open(tmp_path / f"welfare-{n}.log", "w")  # noqa: SIM115 - the process writes it until it ends
    process = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "nameko"), "run", "--config",
                                str(config), "services.welfare.service:WelfareService"],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return process, log


def answering(proxy, process, log_path):
    def ready():
        assert process.poll() is None, log_path.read_text(encoding="utf-8")[-3000:]
        try:
            return proxy.welfare.health()["status"] == "ok"
        except UnknownService:
            return False
    wait_for(ready, timeout=60, interval=0.2, message="the welfare service to answer")


def figures(db_path):
    """(state, paid) of the batch, read as an outsider would (read-only)."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30) as connection:
        row = connection.execute("SELECT state, paid, total FROM condolence_batches").fetchone()
    return row


def test_a_batch_of_20000_killed_in_the_middle_and_resumed_pays_each_exactly_once(tmp_path, vhost):
    started = time.monotonic()
    db_path = tmp_path / "welfare.sqlite3"
    uri = f"sqlite:///{db_path}"
    campaign_id = prepared(uri)
    subprocess.run([sys.executable, "-m", "services.chassis.topology", "--amqp-uri", vhost, "declare",
                    "services.welfare.service:WelfareService"], cwd=ROOT, check=True, capture_output=True)
    registry = ServiceContainer(StandInRegistry, {"AMQP_URI": vhost})
    registry.start()
    processes = []
    try:
        first, log = start_welfare(tmp_path, vhost, uri, 1)
        processes.append((first, log))
        with ClusterRpcProxy({"AMQP_URI": vhost}, timeout=120) as proxy:
            answering(proxy, first, tmp_path / "welfare-1.log")
            batch = proxy.welfare.run_condolence_campaign(ACTOR, campaign_id, {"request_id": "crash-run"})
        assert (batch["state"], batch["total"]) == ("running", PEOPLE)

        # kill it with some, not all, paid (mid-chunk, most likely: a chunk is most of the time)
        def some_paid():
            assert first.poll() is None, "the first process ended by itself"
            state, paid, _ = figures(db_path)
            return 2_000 <= paid and state == "running"
        wait_for(some_paid, timeout=90, interval=0.05, message="some of the batch paid")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        state, paid_at_kill, _ = figures(db_path)
        assert state == "running" and 0 < paid_at_kill < PEOPLE, (state, paid_at_kill)

        second, log = start_welfare(tmp_path, vhost, uri, 2)
        processes.append((second, log))

        def finished():
            assert second.poll() is None, (tmp_path / "welfare-2.log").read_text(encoding="utf-8")[-3000:]
            return figures(db_path)[0] == "finished"
        try:
            wait_for(finished, timeout=100, interval=0.2, message="the resumed batch to finish")
        except AssertionError:
            log_text = (tmp_path / "welfare-2.log").read_text(encoding="utf-8")[-3000:]
            raise AssertionError(f"not finished: {figures(db_path)}; the second process's log:\n{log_text}") from None
        with ClusterRpcProxy({"AMQP_URI": vhost}, timeout=60) as proxy:
            progress = proxy.welfare.get_condolence_batch(ACTOR, batch["id"])
            # a retried run request returns the same run; a new one pays nobody
            assert proxy.welfare.run_condolence_campaign(ACTOR, campaign_id, {"request_id": "crash-run"})["id"] \
                == batch["id"]
            again = proxy.welfare.run_condolence_campaign(ACTOR, campaign_id, {})
    finally:
        for process, log in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
            log.close()
        registry.stop()

    assert (progress["paid"], progress["failed"], progress["pending"]) == (PEOPLE, 0, 0)
    assert (again["total"], again["already_paid"], again["state"]) == (0, PEOPLE, "finished")
    reference = f"condolence:{campaign_id}"
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        per_person = dict(connection.execute(
            "SELECT honouree_id, count(*) FROM postings WHERE reference = ? GROUP BY honouree_id", (reference,)))
        events = connection.execute("SELECT count(*), count(DISTINCT json_extract(payload, '$.honouree_id')) "
                                    "FROM outbox WHERE event_type = 'condolence_paid'").fetchone()
        unpaid = connection.execute("SELECT count(*) FROM condolence_items WHERE state != 'paid' "
                                    "OR posting_id IS NULL").fetchone()[0]
        linked = connection.execute(
            "SELECT count(*) FROM condolence_items i JOIN postings p ON p.id = i.posting_id "
            "AND p.honouree_id = i.honouree_id AND p.amount = i.amount").fetchone()[0]
    assert len(per_person) == PEOPLE and set(per_person.values()) == {1}  # exactly one payment each
    assert set(per_person) == {row["honouree_id"] for row in StandInRegistry.rows}
    assert events == (PEOPLE, PEOPLE)
    assert unpaid == 0 and linked == PEOPLE
    engine = DatabaseEngine(uri, Base.metadata, "welfare", SystemClock())
    try:
        with engine.reading() as connection:
            assert invariants.violations(connection) == []
    finally:
        engine.dispose()
    print(f"killed with {paid_at_kill} of {PEOPLE} paid; the whole test took {time.monotonic() - started:.1f} s")
