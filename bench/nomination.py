"""Figure 6: the nomination service at campaign size.

Setup (not timed): temporary SQLite files for the registry and the nomination
service, migrated with their Alembic histories; the registry's default tree
plus the registry bench's 207 units (``bench.registry.units``). The
nomination data is built in this process through ``NominationService``'s own
entrypoints (nameko ``worker_factory``, a real unit of work per call, as the
service's tests call them), with a stand-in for the registry's RPCs that asks
the real RegistryService (``worker_factory``) on the registry's file:

- campaign A (``beijing_model_worker``): 2,000 nominations (``nominate``) from
  every grassroots union and every district (farmers), with a mix of
  categories and flags; their stage and status are then spread by one SQL
  update (about two thirds at the organiser, the rest still on their way up
  or ended), so the slate and live bases both count hundreds of rows;
- campaign B (``beijing_advanced_worker``): 500 nominations taken through
  every step by the entrypoints (deeds report, vote, party approval,
  recommendations grassroots -> district -> city, both reviews, the unit,
  second-tier and city notices opened and closed), ready to confer. The
  setup's clock (a FrozenClock) stands 40 days back, so the notices' windows
  are over by the time the running services (system clock) confer.

Then the registry and the nomination service each run as a ``nameko run``
process (their own config.yml, a fresh vhost, the setup's keys) and:

1. ``structure_ratios`` is called through ``ClusterRpcProxy`` (as callers see
   it: the broker both ways, the service's ``registry.scope_of`` call, the SQL
   aggregate) over four queries: the city's slate and live ratios, a
   district's and an industry union's;
2. the 500 nominations of campaign B are conferred with ``confer`` RPCs
   (``CONFER_CLIENTS`` at a time); each publishes ``nomination_conferred``
   through the outbox, the registry consumes it, asks
   ``nomination.candidate_record`` and registers the person and the honour.
   The clock runs from the first ``confer`` sent until the registry's file
   (read-only) holds 500 honours with a nomination id.
"""
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

import eventlet
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import worker_factory
from sqlalchemy import text as sql

from bench.processes import ServiceProcesses
from bench.registry import DISTRICTS, SYSTEMS, units
from bench.report import latency_summary
from services.chassis.clock import BEIJING, FrozenClock
from services.chassis.database import DatabaseEngine, UnitOfWork
from services.chassis.id_numbers import make_id_number
from services.chassis.migrations import upgrade
from services.chassis.personal_data import new_key, sealer_from_config
from services.chassis.testing import WorkerCalls
from services.nomination.models import Base as NominationBase
from services.nomination.service import NominationService
from services.registry import tree
from services.registry.models import Base as RegistryBase
from services.registry.service import RegistryService

NOMINATIONS = 2000
CONFERRALS = 500
RATIO_CALLS = 200
CONFER_CLIENTS = 4  # below the services' worker pools (10); 10 deadlocked them: see bench/README.md
CONFER_TIMEOUT = 120.0
CITY = {"account": "bench.city", "unit_id": "bj", "roles": ["officer"], "personal_data": False}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
GIVEN = "秀英桂兰玉凤建国建华志强国庆海燕文明永红淑珍春梅立新卫东德明晓东丽华俊杰"
TARGETS = {"front_line_min": 40, "farmer_min": 10, "migrant_worker_min": 5, "non_public_enterprise_min": 10,
           "high_tech_enterprise_min": 5, "leader_cadre_max": 20}
DEEDS_REPORT = {"reported_on": None, "audience_size": 120, "minutes": "事迹报告会记录……"}
VOTE = {"held_on": None, "meeting": "workers_representatives_congress", "participants": 100,
        "votes_for": 80, "votes_against": 10, "votes_abstain": 10}
PARTY = {"committee": "中共某单位委员会", "approved_on": None, "document": "党〔2026〕3号"}
ATTACHMENT = {"name": "事迹材料.pdf", "size": 5, "content_type": "application/pdf",
              "sha256": "2b8d0ab6c3c1a6e4c6a1c0d3e86b0f3f5e8d0c6f9a6b4a1f0e2d3c4b5a697887"}


def actor(unit_id):
    return {"account": f"bench@{unit_id}", "unit_id": unit_id, "roles": ["officer"], "personal_data": False}


class Registry:
    """The registry's RPCs nomination asks, answered by the real RegistryService on its file."""

    def __init__(self, engine, clock, sealer):
        self.engine, self.clock, self.sealer = engine, clock, sealer
        self._scopes = {}
        self._units = {}

    def _call(self, method, *args):
        uow = UnitOfWork(self.engine)
        try:
            return getattr(worker_factory(RegistryService, db=uow, clock=self.clock, sealer=self.sealer),
                           method)(*args)
        finally:
            uow.rollback()

    def scope_of(self, unit_id):
        if unit_id not in self._scopes:
            self._scopes[unit_id] = self._call("scope_of", unit_id)
        return list(self._scopes[unit_id])

    def get_unit(self, unit_id):
        if unit_id not in self._units:
            self._units[unit_id] = self._call("get_unit", unit_id)
        return dict(self._units[unit_id])

    def get_units(self, unit_ids):
        return self._call("get_units", unit_ids)

    def list_honour_types(self):
        return self._call("list_honour_types")

    def honours_of_person(self, id_number):
        return self._call("honours_of_person", id_number)


def people(rng, count, used):
    """``count`` new persons (valid, distinct ID numbers of Beijing districts) as candidate inputs."""
    made = []
    for i in range(count):
        district = rng.choice(list(DISTRICTS))
        while True:
            born = date(rng.randint(1966, 1995), rng.randint(1, 12), rng.randint(1, 28))
            sequence = rng.randint(0, 999)
            number = make_id_number(DISTRICTS[district], born, sequence)
            if number not in used:
                used.add(number)
                break
        category = rng.choices(("worker", "farmer", "intellectual", "cadre"), (60, 10, 22, 8))[0]
        made.append({
            "district": district,
            "candidate": {
                "name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                "gender": "male" if sequence % 2 else "female", "ethnicity": "汉族",
                "birth_date": born.isoformat(), "id_number": number, "category": category,
                "front_line": rng.random() < 0.5, "migrant_worker": rng.random() < 0.08,
                "non_public_enterprise": rng.random() < 0.15, "high_tech_enterprise": rng.random() < 0.08,
                "employer": "北京某企业", "position": "技师", "phone": f"139{len(used):08d}",
                "address": f"北京市{district[3:]}某街道{i % 200 + 1}号"}})
    return made


def nomination_data(candidate, n):
    return {"channel": "organisational", "candidate": candidate, "request_id": f"bench-{n}",
            "deeds_summary": "扎根一线二十年，服务群众零投诉。", "deeds": "该同志长期在一线岗位工作……（事迹全文）",
            "attachments": [ATTACHMENT]}


def nominating_unit(rng, person, grassroots):
    """Farmers come from their district union; everyone else from a grassroots union of theirs."""
    if person["candidate"]["category"] == "farmer":
        return person["district"]
    return rng.choice(grassroots[person["district"]])


def campaign_data(honour_type, title, quota, today):
    year = today.year
    return {"honour_type": honour_type, "year": year, "title": title, "total_quota": quota,
            "timetable": {"open": {"start": f"{year}-01-01", "end": f"{year}-06-30"},
                          "reviewing": {"start": f"{year}-07-01", "end": f"{year}-08-31"},
                          "notice": {"start": f"{year}-09-01", "end": f"{year}-12-20"},
                          "conferral_on": f"{year}-12-28"},
            "targets": TARGETS, "entry_level": "second_tier", "revocation_bar_years": 5}


def open_campaign(nomination, honour_type, title, quotas, today):
    """A campaign of the city with ``quotas`` ({unit: quota}) for the units below it, open."""
    campaign = nomination.create_campaign(CITY, campaign_data(honour_type, title, sum(quotas.values()), today))
    allocations = [{"unit_id": unit_id, "quota": quota} for unit_id, quota in quotas.items()]
    nomination.allocate_quotas(CITY, campaign["id"], {"allocations": allocations})
    return nomination.transition_campaign(CITY, campaign["id"], "open")


def build_ratio_campaign(nomination, engine, rng, grassroots, used, today, count):
    """Campaign A: ``count`` nominations through ``nominate``; stage and status spread afterwards."""
    quotas = {unit_id: count // 20 for unit_id in list(DISTRICTS) + list(SYSTEMS)}
    campaign = open_campaign(nomination, "beijing_model_worker", "北京市劳动模范评选（bench）", quotas, today)
    ids = []
    for n, person in enumerate(people(rng, count, used)):
        unit = nominating_unit(rng, person, grassroots)
        ids.append(nomination.nominate(actor(unit), campaign["id"], nomination_data(person["candidate"], n))["id"])
    # where they stand: by the SQL the procedure's own steps would leave (status, stage, current unit)
    spread = (("in_progress", "preliminary_review", 0.20), ("in_progress", "second_review", 0.15),
              ("in_progress", "unit_notice", 0.10), ("in_progress", "second_tier_notice", 0.10),
              ("in_progress", "city_notice", 0.10), ("in_progress", "conferral", 0.05),
              ("in_progress", "tier_recommendation", 0.15), ("rejected", "preliminary_review", 0.05),
              ("withdrawn", "second_review", 0.05), ("not_recommended", "democratic_recommendation", 0.05))
    places = rng.choices([(s, g) for s, g, _ in spread], [w for _, _, w in spread], k=len(ids))
    with engine.unit_of_work() as uow:
        for nomination_id, (status, stage) in zip(ids, places):
            at_city = stage not in ("tier_recommendation", "democratic_recommendation")
            uow.session.execute(sql(
                "UPDATE nominations SET status = :status, stage = :stage, "
                "current_unit_id = CASE WHEN :at_city THEN 'bj' ELSE current_unit_id END WHERE id = :id"),
                {"status": status, "stage": stage, "at_city": at_city, "id": nomination_id})
    return campaign, ids


def build_conferral_campaign(nomination, clock, rng, grassroots, used, today, count):
    """Campaign B: ``count`` nominations taken through every step, ready to confer."""
    persons = people(rng, count, used)
    quotas = {}
    for person in persons:
        quotas[person["district"]] = quotas.get(person["district"], 0) + 1
    campaign = open_campaign(nomination, "beijing_advanced_worker", "北京市先进工作者评选（bench）", quotas, today)
    evidence_day = clock.now().astimezone(BEIJING).date().isoformat()
    deeds, vote, party = (dict(DEEDS_REPORT, reported_on=evidence_day), dict(VOTE, held_on=evidence_day),
                          dict(PARTY, approved_on=evidence_day))
    chosen = []  # (nomination id, entry unit, district)
    for n, person in enumerate(persons):
        person["candidate"]["category"] = rng.choice(("worker", "worker", "intellectual", "cadre"))
        unit = rng.choice(grassroots[person["district"]])
        made = nomination.nominate(actor(unit), campaign["id"], nomination_data(person["candidate"], f"b{n}"))
        by = actor(unit)
        nomination.record_deeds_report(by, made["id"], deeds)
        nomination.record_democratic_recommendation(by, made["id"], vote)
        nomination.record_party_approval(by, made["id"], party)
        nomination.recommend_nomination(by, made["id"], {"opinion": "同意推荐"})
        nomination.recommend_nomination(actor(person["district"]), made["id"], {"opinion": "同意推荐"})
        chosen.append((made["id"], unit, person["district"]))
    nomination.transition_campaign(CITY, campaign["id"], "reviewing")
    for nomination_id, _, _ in chosen:
        nomination.preliminary_review(CITY, nomination_id, {"outcome": "passed", "findings": "基本情况属实"})
        nomination.second_review(CITY, nomination_id, {"outcome": "passed", "findings": "事迹材料翔实"})
    nomination.transition_campaign(CITY, campaign["id"], "notice")
    for level, key in (("unit", 1), ("second_tier", 2), ("city", None)):
        groups = {}
        for row in chosen:
            groups.setdefault(row[key] if key else "bj", []).append(row[0])
        opened = []
        for unit_id, nomination_ids in groups.items():
            start = clock.now()
            opened.append((unit_id, nomination.open_notice(actor(unit_id), campaign["id"], {
                "level": level, "title": f"{level} 公示", "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(days=5)).isoformat(), "nomination_ids": nomination_ids})))
        clock.advance(days=5, minutes=1)
        for unit_id, notice in opened:
            nomination.close_notice(actor(unit_id), notice["id"])
    return campaign, [row[0] for row in chosen]


def build(directory, keys, nominations, conferrals):
    """Both SQLite files, migrated and filled; returns what the figures need."""
    registry_uri = f"sqlite:///{directory}/registry.sqlite3"
    nomination_uri = f"sqlite:///{directory}/nomination.sqlite3"
    upgrade("registry", registry_uri)
    upgrade("nomination", nomination_uri)
    now = datetime.now(UTC)
    clock = FrozenClock(now - timedelta(days=40))
    today = now.astimezone(BEIJING).date()
    sealer = sealer_from_config(keys)
    registry_engine = DatabaseEngine(registry_uri, RegistryBase.metadata, "registry", clock)
    nomination_engine = DatabaseEngine(nomination_uri, NominationBase.metadata, "nomination", clock)
    try:
        with registry_engine.unit_of_work() as uow:
            for data in units():
                tree.add_unit(uow.session, data, clock.now())
        grassroots = {}
        for data in units():
            if data["tier"] == "grassroots":
                grassroots.setdefault(data["parent_id"], []).append(data["id"])
        with registry_engine.reading() as connection:
            unit_count = connection.execute(sql("SELECT count(*) FROM units")).scalar_one()
        registry = Registry(registry_engine, clock, sealer)
        nomination = WorkerCalls(NominationService, nomination_engine, clock=clock, sealer=sealer,
                                 registry=registry)
        rng, used = random.Random(20260101), set()
        started = time.perf_counter()
        ratio_campaign, _ = build_ratio_campaign(nomination, nomination_engine, rng, grassroots, used, today,
                                                 nominations)
        ratio_seconds = time.perf_counter() - started
        started = time.perf_counter()
        conferral_campaign, ready = build_conferral_campaign(nomination, clock, rng, grassroots, used, today,
                                                             conferrals)
        conferral_seconds = time.perf_counter() - started
        with nomination_engine.reading() as connection:
            waiting = connection.execute(sql(
                "SELECT count(*) FROM nominations WHERE campaign_id = :c AND status = 'in_progress' "
                "AND stage = 'conferral' AND notice_id IS NULL"), {"c": conferral_campaign["id"]}).scalar_one()
        if waiting != conferrals:
            raise RuntimeError(f"{waiting} nominations of campaign B are ready to confer, not {conferrals}")
        return {"registry_uri": registry_uri, "nomination_uri": nomination_uri, "units": unit_count,
                "ratio_campaign": ratio_campaign["id"], "conferral_campaign": conferral_campaign["id"],
                "ready": ready, "decided_on": today.isoformat(), "setup_ratio_s": ratio_seconds,
                "setup_conferral_s": conferral_seconds}
    finally:
        registry_engine.dispose()
        nomination_engine.dispose()


SERVICES = {"registry": RegistryService, "nomination": NominationService}


def running_services(amqp_uri, directory, built, keys):
    """The registry and the nomination service, each a ``nameko run`` process on ``amqp_uri``."""
    return ServiceProcesses(amqp_uri, directory, SERVICES, {
        "REGISTRY_DB_URI": built["registry_uri"], "NOMINATION_DB_URI": built["nomination_uri"],
        "LAOMO_PERSONAL_DATA_KEYS": keys["PERSONAL_DATA_KEYS"], "LAOMO_BLIND_INDEX_KEY": keys["BLIND_INDEX_KEY"]})


def answering(cluster):
    """True once both services answer an RPC (their consumers are up, not only their processes)."""
    try:
        cluster.registry.scope_of("bj")
        cluster.nomination.public_notices({})
        return True
    except Exception:  # noqa: BLE001 -- not up yet: asked again until the deadline
        return False


def ratio_queries(campaign_id):
    return [(CITY, {}), (CITY, {"basis": "live"}), (actor("bj-haidian"), {}),
            (actor("bj-jianshe"), {"basis": "live"})]


def run_ratios(amqp_uri, campaign_id, calls, warmup=20):
    queries = ratio_queries(campaign_id)
    samples, by_query = [], {i: [] for i in range(len(queries))}
    totals = {}
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as cluster:
        ratios = cluster.nomination.structure_ratios
        for n in range(warmup):
            who, query = queries[n % len(queries)]
            ratios(who, campaign_id, query)
        for n in range(calls):
            index = n % len(queries)
            who, query = queries[index]
            started = time.perf_counter()
            report = ratios(who, campaign_id, query)
            elapsed = time.perf_counter() - started
            samples.append(elapsed)
            by_query[index].append(elapsed)
            totals[index] = report["total"]
        # the part of a call that is the registry's scope_of (asked by every call), for scale
        scope = []
        for n in range(50):
            started = time.perf_counter()
            cluster.registry.scope_of(queries[n % len(queries)][0]["unit_id"])
            scope.append(time.perf_counter() - started)
    result = latency_summary(samples)
    result["queries"] = [{"who": who["unit_id"], "basis": query.get("basis", "slate"), "total": totals[i],
                          **latency_summary(by_query[i])} for i, (who, query) in enumerate(queries)]
    result["scope_of"] = latency_summary(scope)
    return result


def honours_entered(registry_path):
    connection = sqlite3.connect(f"file:{registry_path}?mode=ro", uri=True, timeout=5)
    try:
        return connection.execute("SELECT count(*) FROM honours WHERE nomination_id IS NOT NULL").fetchone()[0]
    finally:
        connection.close()


def run_conferral(amqp_uri, services, registry_path, ready, decided_on, clients=CONFER_CLIENTS):
    """``clients`` green threads, each with its own ClusterRpcProxy, confer ``ready`` one by one."""
    data = {"decided_on": decided_on, "document": "京政发〔2026〕20号"}
    todo = list(ready)
    queue = list(reversed(todo))
    confer_done, errors, latencies = [], [], []
    config = {"AMQP_URI": amqp_uri}
    proxies = [ClusterRpcProxy(config, timeout=60) for _ in range(clients)]
    clusters = [proxy.start() for proxy in proxies]
    try:
        def client(cluster):
            while queue:
                nomination_id = queue.pop()
                began = time.perf_counter()
                try:
                    cluster.nomination.confer(CITY, nomination_id, data)
                except Exception as exc:  # noqa: BLE001 -- counted and shown
                    errors.append(f"{type(exc).__name__}: {str(exc)[:160]}")
                ended = time.perf_counter()
                latencies.append(ended - began)
                confer_done.append(ended)

        started = time.perf_counter()
        threads = [eventlet.spawn(client, cluster) for cluster in clusters]
        seen, first_seen, counts = 0, None, []
        deadline = started + CONFER_TIMEOUT
        while time.perf_counter() < deadline:
            eventlet.sleep(0.05)
            seen = honours_entered(registry_path)
            now = time.perf_counter()
            counts.append((now - started, seen))
            if seen and first_seen is None:
                first_seen = now - started
            if seen >= len(todo):
                break
            services.check()
        finished = time.perf_counter() - started
        for thread in threads:
            thread.wait()
    finally:
        for proxy in proxies:
            proxy.stop()
    confer_seconds = max(confer_done) - started if confer_done else float("nan")
    at_half = next((t for t, c in counts if c >= len(todo) // 2), float("nan"))
    return {"candidates": len(todo), "entered": seen, "seconds": finished, "per_s": seen / finished,
            "confer_seconds": confer_seconds, "confers_per_s": len(confer_done) / confer_seconds,
            "first_seen_s": first_seen if first_seen is not None else float("nan"), "half_s": at_half,
            "errors": len(errors), "error_examples": errors[:3], "clients": clients,
            "confer_latency": latency_summary(latencies), "complete": seen >= len(todo)}


def run(amqp_uri, nominations=NOMINATIONS, conferrals=CONFERRALS, ratio_calls=RATIO_CALLS):
    directory = tempfile.mkdtemp(prefix="laomo-bench-nomination-")
    keys = {"PERSONAL_DATA_KEYS": new_key(), "BLIND_INDEX_KEY": new_key()}
    services = None
    keep = False
    try:
        built = build(directory, keys, nominations, conferrals)
        services = running_services(amqp_uri, directory, built, keys)
        started = time.perf_counter()
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=5) as cluster:
            services.start(lambda: answering(cluster))
        result = {"nominations": nominations, "units": built["units"], "setup_ratio_s": built["setup_ratio_s"],
                  "setup_conferral_s": built["setup_conferral_s"], "start_seconds": time.perf_counter() - started}
        result["ratios"] = run_ratios(amqp_uri, built["ratio_campaign"], ratio_calls)
        result["conferral"] = run_conferral(amqp_uri, services, built["registry_uri"][len("sqlite:///"):],
                                            built["ready"], built["decided_on"])
        return result
    except Exception as exc:
        if services is not None:  # the services' logs, for the error
            keep = True
            raise RuntimeError(f"{exc}  (logs in {directory})") from exc
        raise
    finally:
        try:
            if services is not None:
                services.stop()
        finally:
            if not keep:
                shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":  # a quick look without the rest of the bench: python -m bench.nomination URI
    eventlet.monkey_patch()
    print(json.dumps(run(sys.argv[1]), indent=2, default=str))
