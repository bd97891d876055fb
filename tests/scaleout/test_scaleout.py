"""Two replicas of the welfare service share the work of one broker; SIGKILL one of them in the middle of
a load, and nothing is lost and nothing is done twice.

1. RPC with money: concurrent clients send ledger postings (appropriations into a fund, then
   disbursements), each with its own idempotency key. A call that fails or times out is sent again with
   the SAME key, as a real client does; and one request in five the client gives up on at once and
   sends again while the first call may still run (twins of one key, on either replica). One replica
   is killed once a third of the replies are back. Every request gets its answer, the ledger holds one
   posting per request, the books balance to the fen, and both replicas served calls before the kill.
2. Events with competing consumers: the chassis' outbox relay publishes the registry's
   ``honour_revoked`` events from a registry outbox, paced by how many are handled, and publishes the
   start of each batch a second time, as a relay restarted between publishing and marking does. One
   replica is killed a third of the way. Every event is in welfare's inbox once, its care stop made
   once, nothing is dead-lettered, and both replicas handled events before the kill.

The queues are quorum queues (``AMQP_QUEUE_TYPE=quorum``), as in production. The figures of a run are
printed (``-s`` shows them).
"""
import collections
import json
import time
import uuid

from eventlet.greenpool import GreenPool
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import func, select

from services.chassis.clock import SystemClock
from services.chassis.database import DatabaseEngine, make_engine
from services.chassis.events import dead_letter_queue_name, handler_queue_name
from services.chassis.outbox import BrokerPublisher, OutboxRelay
from services.chassis.testing import wait_for
from services.chassis.topology import dead_letter_counts
from services.registry.models import Base as RegistryBase
from services.welfare import invariants
from services.welfare.models import Base as WelfareBase
from services.welfare.models.ledger import Posting
from services.welfare.models.stops import CareStop

from .cluster import drained, queue_info, replicas
from .conftest import QUEUE_TYPE

HAIDIAN = {"account": "haidian.finance", "unit_id": "bj-haidian", "roles": ["finance"]}

# the RPC load: CALLERS clients, each sending its appropriations, then its disbursements
CALLERS = 10
EACH = 30  # per caller: EACH // 2 appropriations, then EACH // 2 disbursements
CALLS = CALLERS * EACH
RPC_KILL_AFTER = CALLS // 3  # replies back before a replica is killed
CALL_TIMEOUT = 5  # seconds a client waits for a reply before it retries
ATTEMPTS = 5  # a client gives up on a request after this many failed calls

# the event load
EVENTS = 300
BATCH = 25  # events the relay publishes at once
REPEATS = 3  # events of each batch published a second time
AHEAD = 50  # at most this many published events not yet handled (the load is paced by the handling)
EVENT_KILL_AFTER = EVENTS // 3  # events handled before a replica is killed
HANDLER = "welfare.on_honour_revoked"
EVENT_QUEUE = handler_queue_name("registry", "honour_revoked", "welfare", "on_honour_revoked")


def posted_ok(replica):
    return replica.counter("laomo_rpc_requests_total", service="welfare", method="post", outcome="ok")


def handled(replica, outcome):
    return replica.counter("laomo_events_handled_total", service="welfare", handler=HANDLER, outcome=outcome)


def payments(run):
    """Each caller's requests, in order: its appropriations, then disbursements that together take
    less than it put in, so the fund never lacks money whatever the interleaving."""
    for i in range(CALLERS):
        requests_of = []
        for n in range(EACH):
            appropriation = n < EACH // 2
            request = {"idempotency_key": f"so-{run}-{i}-{n}", "kind": "appropriation" if appropriation
                       else "disbursement", "amount": (10_000 + 7 * n + i) if appropriation else (5_000 + 3 * n + i),
                       "reference": f"scaleout:{run}:{i}:{n}"}
            if not appropriation:
                request["purpose"] = "condolence"
            requests_of.append(request)
        yield requests_of


class Load:
    """The clients' shared tally: the replies, every failed call (each retried with its key), and the
    calls whose replies were given up on."""

    def __init__(self):
        self.replies = {}
        self.failed_calls = []
        self.late_replies = {}  # the replies of calls given up on, read at the end
        self.late_replies_lost = []  # ... unless the connection they were to come on broke
        self.unanswered = []


def given_up_on(request):
    """Whether the client gives up on the first call of ``request`` at once, as after a timeout: one
    request in five is sent again while its first call may still be running, on either replica."""
    return int(request["idempotency_key"].rsplit("-", 1)[1]) % 5 == 2


def client(amqp_uri, fund_id, requests_of, load):
    """One client: sends its requests one after another; a call that fails or times out is sent again
    with the same idempotency key, on a fresh connection."""
    config = {"AMQP_URI": amqp_uri}
    proxy = ClusterRpcProxy(config, timeout=CALL_TIMEOUT)
    cluster = proxy.start()
    given_up = []
    try:
        for request in requests_of:
            request = dict(request, fund_id=fund_id)
            if given_up_on(request):
                given_up.append((request["idempotency_key"], cluster.welfare.post.call_async(HAIDIAN, request)))
            for _ in range(ATTEMPTS):
                try:
                    reply = cluster.welfare.post(HAIDIAN, request)
                except Exception as exc:  # noqa: BLE001 (timeout, lost connection, remote error: a client retries)
                    load.failed_calls.append((request["idempotency_key"], f"{type(exc).__name__}: {exc}"[:300]))
                    proxy.stop()  # the replies it still waited for are gone with it
                    load.late_replies_lost += [key for key, _ in given_up]
                    given_up = []
                    proxy = ClusterRpcProxy(config, timeout=CALL_TIMEOUT)
                    cluster = proxy.start()
                    continue
                load.replies[request["idempotency_key"]] = reply
                break
            else:
                load.unanswered.append(request["idempotency_key"])
        for key, reply in given_up:  # every call is over before the books are checked
            load.late_replies[key] = reply.result()
    finally:
        proxy.stop()


def test_two_replicas_share_rpc_load_and_a_killed_one_loses_and_duplicates_no_posting(
        suite_env, broker, registry, databases, log_dir):
    run = uuid.uuid4().hex[:8]
    plan = list(payments(run))
    requests = {r["idempotency_key"]: r for caller in plan for r in caller}
    paid = sum(r["amount"] for r in requests.values() if r["kind"] == "disbursement")
    put_in = sum(r["amount"] for r in requests.values() if r["kind"] == "appropriation")
    year = SystemClock().today().year  # the services' clock: Beijing's date

    with replicas("welfare", 2, suite_env, log_dir, "rpc-welfare", broker.uri, also_show=[registry]) as (a, b):
        assert queue_info(broker.api, broker.vhost, "rpc-welfare")["type"] == QUEUE_TYPE
        with ClusterRpcProxy({"AMQP_URI": broker.uri}, timeout=30) as cluster:
            fund = cluster.welfare.create_fund(HAIDIAN, {
                "code": f"so-{run}", "name": "扩容测试基金", "kind": "district_aid", "purposes": ["condolence"]})
            cluster.welfare.set_budget(HAIDIAN, fund["id"], {"year": year, "purpose": "condolence", "amount": paid})
        served_before = {r.label: posted_ok(r) for r in (a, b)}  # the set-up's calls are not posts

        load = Load()
        pool = GreenPool(CALLERS)
        started = time.perf_counter()
        clients = [pool.spawn(client, broker.uri, fund["id"], requests_of, load) for requests_of in plan]
        try:
            # the kill point is a count of replies, not a time
            wait_for(lambda: len(load.replies) >= RPC_KILL_AFTER or all(c.dead for c in clients),
                     timeout=120, interval=0.002, message=f"{RPC_KILL_AFTER} replies")
            replies_at_kill = len(load.replies)
            at_kill = {r.label: posted_ok(r) - served_before[r.label] for r in (a, b)}
            a.kill()
            for c in clients:
                c.wait()  # a client's own failure surfaces here
        finally:
            for c in clients:
                c.kill()  # no client outlives the test (a no-op for those that are done)
        took = time.perf_counter() - started
        survivor_total = posted_ok(b) - served_before[b.label]

        with ClusterRpcProxy({"AMQP_URI": broker.uri}, timeout=30) as cluster:
            after = cluster.welfare.get_fund(HAIDIAN, fund["id"])

        print(f"\nscale-out RPC: {CALLS} posts from {CALLERS} clients in {took:.1f} s; {a.label} killed after "
              f"{replies_at_kill} replies; posts served before the kill: {at_kill}; {b.label} served {survivor_total} "
              f"in all; calls given up on and sent again: {len(load.late_replies)}; failed calls retried: "
              f"{len(load.failed_calls)} {load.failed_calls[:5]}")
        assert replies_at_kill < CALLS, "the replica was killed after the load, not in its middle"
        # both replicas did work before the kill (their own /metrics)
        assert at_kill[a.label] > 0 and at_kill[b.label] > 0, at_kill

        # the ledger holds exactly one posting per request: none lost, none twice
        welfare_db = make_engine(databases["welfare"])
        try:
            with welfare_db.connect() as connection:
                postings = connection.execute(
                    select(Posting.__table__.c.id, Posting.__table__.c.idempotency_key, Posting.__table__.c.reference)
                    .where(Posting.__table__.c.fund_id == fund["id"])).all()
                broken = invariants.violations(connection)
        finally:
            welfare_db.dispose()
        twice = {ref: n for ref, n in collections.Counter(p.reference for p in postings).items() if n > 1}
        assert twice == {}, f"requests posted more than once: {twice}"
        assert load.unanswered == [], f"no successful reply for {load.unanswered} after {ATTEMPTS} calls each"
        assert sorted(p.idempotency_key for p in postings) == sorted(requests)
        assert broken == [], f"the ledger's invariants are broken: {broken}"
        # every request got a successful reply, for its own posting
        assert set(load.replies) == set(requests)
        for key, reply in load.replies.items():
            asked = requests[key]
            assert (reply["idempotency_key"], reply["kind"], reply["amount"], reply["reference"]) == (
                key, asked["kind"], asked["amount"], asked["reference"])
        assert {p.idempotency_key: p.id for p in postings} == {k: r["id"] for k, r in load.replies.items()}
        # a call given up on answered, when it did, with the posting its retry got
        assert len(load.late_replies) + len(load.late_replies_lost) == sum(map(given_up_on, requests.values()))
        assert {k: r["id"] for k, r in load.late_replies.items()} == {k: load.replies[k]["id"] for k in load.late_replies}
        # and the fund's figures agree to the fen
        assert after["balances"] == {"posted": put_in - paid, "pending": 0, "available": put_in - paid}
        assert {(b_["purpose"], b_["amount"], b_["used"]) for b_ in after["budgets"]} == {("condolence", paid, paid)}


def test_two_replicas_compete_for_events_and_a_killed_one_loses_and_repeats_no_effect(
        suite_env, broker, databases, log_dir):
    run = uuid.uuid4().hex[:8]
    honourees = [f"so{run}{n:04d}" for n in range(EVENTS)]
    # the registry's outbox: the events as the registry records them (envelope: event_id, occurred_at)
    source = DatabaseEngine(databases["source"], RegistryBase.metadata, "registry", SystemClock())
    with source.unit_of_work() as uow:
        event_ids = [uow.record_event("honour_revoked", {
            "honour_id": f"hr{run}{n:04d}", "honouree_id": honouree, "honour_type": "beijing_model_worker",
            "revocation_id": f"rv{run}{n:04d}", "managing_unit_id": "bj-haidian", "active_honours_left": 0})
            for n, honouree in enumerate(honourees)]
    # ... published by the chassis' relay, as the registry's own would: exchange, headers, confirms
    relay = OutboxRelay(source, {"AMQP_URI": broker.uri, "OUTBOX_BATCH_SIZE": BATCH})
    relay.publisher = BrokerPublisher(broker.uri)
    welfare_db = DatabaseEngine(databases["welfare"], WelfareBase.metadata, "welfare", SystemClock())
    inbox = welfare_db.inbox

    def done():
        with welfare_db.reading() as connection:
            return connection.execute(select(func.count()).select_from(inbox)
                                      .where(inbox.c.handler == HANDLER)).scalar_one()

    try:
        with replicas("welfare", 2, suite_env, log_dir, EVENT_QUEUE, broker.uri) as (a, b):
            for queue in (EVENT_QUEUE, dead_letter_queue_name(EVENT_QUEUE)):
                assert queue_info(broker.api, broker.vhost, queue)["type"] == QUEUE_TYPE, queue
            started = time.perf_counter()
            published, republished, killed_at = 0, 0, None
            while published < EVENTS:
                wait_for(lambda n=published: done() >= n - AHEAD, timeout=60, interval=0.005,
                         message=f"{published - AHEAD} events handled")
                if killed_at is None and done() >= EVENT_KILL_AFTER:  # the kill point is a count
                    killed_at = {"handled": done(), "published": published,
                                 **{r.label: handled(r, "ok") for r in (a, b)}}
                    a.kill()
                settled, _ = relay.publish_pending()
                assert settled == min(BATCH, EVENTS - published), "the broker did not take a batch whole"
                # the start of the batch once more, as a relay restarted between publishing and marking
                # sends it: delivery is at least once, and the inbox drops the repeat
                again = event_ids[published:published + REPEATS]
                with source.reading() as connection:
                    rows = connection.execute(select(source.outbox).where(source.outbox.c.event_id.in_(again))
                                              .order_by(source.outbox.c.seq)).all()
                assert set(relay.publish_rows(rows).values()) == {"published"}
                published, republished = published + settled, republished + len(rows)
            wait_for(lambda: done() >= EVENTS, timeout=60, interval=0.01, message=f"{EVENTS} events handled")
            took = time.perf_counter() - started
            # every delivery is over, the repeats too, before the effects are counted
            wait_for(lambda: drained(broker.api, broker.vhost, EVENT_QUEUE, EVENTS + republished), timeout=30,
                     interval=0.25, message=f"{EVENT_QUEUE} drained")
            survivor = {outcome: handled(b, outcome) for outcome in ("ok", "duplicate", "failed")}
            print(f"\nscale-out events: {EVENTS} events (and {republished} of them again) in {took:.1f} s; "
                  f"{a.label} killed at {killed_at}; {b.label} handled {survivor}")
            assert killed_at is not None and killed_at["handled"] < EVENTS, "the replica was not killed mid-way"
            assert killed_at[a.label] > 0 and killed_at[b.label] > 0, f"a replica handled nothing before the kill: {killed_at}"

            with welfare_db.reading() as connection:
                seen = connection.execute(select(inbox.c.event_id).where(inbox.c.handler == HANDLER)).scalars().all()
                stops = connection.execute(select(CareStop.__table__.c.honouree_id)).scalars().all()
                outbox = welfare_db.outbox
                announced = [json.loads(p)["honouree_id"] for p in connection.execute(
                    select(outbox.c.payload).where(outbox.c.event_type == "care_stopped")).scalars()]
                audit = WelfareBase.metadata.tables["audit_log"]
                audited = connection.execute(select(audit.c.entity_id).where(
                    audit.c.entity == "care_stop", audit.c.action == "stopped")).scalars().all()
            # every event in the inbox exactly once, and its effect made exactly once
            assert sorted(seen) == sorted(event_ids)
            assert sorted(stops) == honourees
            assert sorted(announced) == honourees, "a care stop was announced twice, or not at all"
            assert sorted(audited) == honourees, "a care stop was made twice, or not at all"
            assert dead_letter_counts(broker.uri, [EVENT_QUEUE]) == {EVENT_QUEUE: 0}
    finally:
        relay.stop(wait=False)
        relay.publisher.close()
        source.engine.dispose()
        welfare_db.engine.dispose()
