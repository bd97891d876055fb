"""Figure 4: the registry at its target size, 20,000 honourees, on SQLite.

- Import: a synthetic CSV file of 20,000 honourees (Chinese names, valid ID
  numbers from ``id_numbers.make_id_number``, about one in ten with a second
  honour on a second row) is checked (dry run) and then imported (real run)
  by ``RegistryService.import_honourees`` called through nameko's
  ``worker_factory`` with a real unit of work, as the tests call it; the time
  includes the commit.
- Search: ``search_honourees`` with a mix of filters (scope of the city and of
  a district, name substring, honour type and year, overdue, flags, deep
  pages), called through ``worker_factory`` with a real unit of work: the
  service method's own time, without the broker.
- Get many: ``get_honourees`` with 100 ids, through a real RPC: the
  RegistryService in a nameko ``ServiceContainer`` in this process (outbox
  relay off), called with ``ClusterRpcProxy``.

The database is a temporary SQLite file migrated with the registry's Alembic
history, in WAL mode as the service runs it.
"""
import gc
import random
import shutil
import tempfile
import time
from datetime import date, datetime, timezone

from nameko.containers import ServiceContainer
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import worker_factory
from sqlalchemy import text as sql

from bench.report import latency_summary
from services.chassis.clock import FrozenClock
from services.chassis.database import DatabaseEngine, UnitOfWork
from services.chassis.id_numbers import make_id_number
from services.chassis.migrations import upgrade
from services.chassis.personal_data import new_key, sealer_from_config
from services.registry import bulk, tree
from services.registry.models import Base
from services.registry.service import RegistryService

NOW = datetime(2025, 6, 1, 2, 0, tzinfo=timezone.utc)
CITY = {"account": "bench.city", "unit_id": "bj", "roles": ["admin"], "personal_data": True}
HAIDIAN = {"account": "bench.haidian", "unit_id": "bj-haidian", "roles": ["officer"]}

DISTRICTS = {  # district union -> area code of its ID numbers
    "bj-dongcheng": "110101", "bj-xicheng": "110102", "bj-chaoyang": "110105", "bj-fengtai": "110106",
    "bj-shijingshan": "110107", "bj-haidian": "110108", "bj-mentougou": "110109",
    "bj-fangshan": "110111", "bj-tongzhou": "110112", "bj-shunyi": "110113", "bj-changping": "110114",
    "bj-daxing": "110115", "bj-huairou": "110116", "bj-pinggu": "110117", "bj-miyun": "110118",
    "bj-yanqing": "110119", "bj-etown": "110115",
}
GRASSROOTS_PER_DISTRICT = 12
SYSTEMS = ("bj-jianshe", "bj-jiaoyu", "bj-caimao")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "秀英桂兰玉凤建国建华志强国庆海燕文明永红淑珍春梅立新卫东德明晓东丽华俊杰金凤志刚婷婷伟明宏伟振华红霞雪梅"
EMPLOYERS = ("北京第一机床厂", "首钢集团", "北京公交集团", "燕京啤酒", "北京同仁堂", "中关村软件园",
             "北京地铁", "北京城建集团", "北京邮政", "京东方科技")
HONOURS = (("national_model_worker", 0.08), ("national_advanced_worker", 0.04),
           ("national_may_day_medal", 0.12), ("beijing_model_worker", 0.40),
           ("beijing_advanced_worker", 0.16), ("capital_labour_medal", 0.20))


def units():
    """Grassroots unions under every district (some also in a system), and the systems."""
    made = [{"id": s, "name": n, "tier": "industry", "parent_id": "bj", "system_parent_id": None}
            for s, n in zip(SYSTEMS, ("北京市建设工会", "北京市教育工会", "北京市财贸工会"))]
    for d, district in enumerate(DISTRICTS):
        for n in range(GRASSROOTS_PER_DISTRICT):
            made.append({"id": f"{district}-g{n:02d}", "name": f"{district[3:]}第{n + 1}基层工会",
                         "tier": "grassroots", "parent_id": district,
                         "system_parent_id": SYSTEMS[(d + n) % len(SYSTEMS)] if n % 3 == 0 else None})
    return made


def synthetic_csv(count, seed=20150109):
    """``count`` honourees as import CSV text; returns (text, rows)."""
    rng = random.Random(seed)
    lines = [",".join(bulk.HEADER)]
    used = set()
    types, weights = zip(*HONOURS)
    for i in range(count):
        district = rng.choice(list(DISTRICTS))
        while True:
            born = date(rng.randint(1940, 1994), rng.randint(1, 12), rng.randint(1, 28))
            sequence = rng.randint(0, 999)
            number = make_id_number(DISTRICTS[district], born, sequence)
            if number not in used:
                used.add(number)
                break
        gender = "male" if sequence % 2 else "female"
        category = rng.choices(("worker", "farmer", "intellectual", "cadre"), (60, 10, 22, 8))[0]
        unit = district if category == "farmer" else f"{district}-g{rng.randrange(GRASSROOTS_PER_DISTRICT):02d}"
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        status = "retired" if born.year < 1965 else rng.choices(("in_service", "left_employer"), (95, 5))[0]
        honour = rng.choices(types, weights)[0]
        year = rng.randint(max(1980, born.year + 22), 2024)
        cells = {
            "id_number": number, "name": name, "gender": gender, "ethnicity": "汉族",
            "birth_date": born.isoformat(), "category": category, "managing_unit_id": unit,
            "management_mode": "territorial" if category == "farmer" else "by_unit",
            "employment_status": status, "employer": rng.choice(EMPLOYERS), "position": "技师",
            "education": "本科", "political_status": "中共党员", "phone": f"139{i:08d}",
            "address": f"北京市{district[3:]}某街道{i % 200 + 1}号",
            "front_line": "true" if rng.random() < 0.6 else "false",
            "migrant_worker": "true" if rng.random() < 0.1 else "false",
            "non_public_enterprise": "true" if rng.random() < 0.2 else "false",
            "high_tech_enterprise": "true" if rng.random() < 0.15 else "false",
            "beijing_hukou": "true", "family_members": str(rng.randint(1, 6)),
            "income_band": rng.choice(("low", "lower_middle", "middle", "upper")),
            "hardships": "low_income" if rng.random() < 0.05 else "",
            "honour_type": honour, "honour_year": str(year), "honour_level": "", "conferring_body": "",
        }
        lines.append(",".join(cells[c] for c in bulk.HEADER))
        if rng.random() < 0.1:  # a second honour: a second row with the ID number and the honour only
            other = rng.choice([t for t in types if t != honour])
            second = {c: "" for c in bulk.HEADER}
            second.update(id_number=number, honour_type=other, honour_year=str(rng.randint(year, 2024)))
            lines.append(",".join(second[c] for c in bulk.HEADER))
    return "\r\n".join(lines) + "\r\n", len(lines) - 1


class Caller:
    """An entrypoint call as the service makes it: a worker, a unit of work, committed after."""

    def __init__(self, engine, clock, sealer):
        self.engine, self.clock, self.sealer = engine, clock, sealer

    def __call__(self, method, *args):
        uow = UnitOfWork(self.engine)
        worker = worker_factory(RegistryService, db=uow, clock=self.clock, sealer=self.sealer)
        try:
            result = getattr(worker, method)(*args)
        except BaseException:
            uow.rollback()
            raise
        uow.commit()
        return result


def search_queries():
    """(actor, query) pairs the search figure cycles through."""
    return [
        (CITY, {}),
        (CITY, {"page": 200, "page_size": 50}),
        (CITY, {"name": "王"}),
        (CITY, {"name": "建国", "page_size": 200}),
        (CITY, {"honour_type": "beijing_model_worker", "honour_year": 2015}),
        (CITY, {"honour_level": "national", "gender": "female", "page": 3}),
        (CITY, {"overdue": True, "district_id": "bj-chaoyang"}),
        (CITY, {"front_line": True, "employment_status": "in_service", "category": "worker", "page_size": 200}),
        (CITY, {"unit_id": "bj-jianshe", "migrant_worker": True}),
        (HAIDIAN, {}),
        (HAIDIAN, {"category": "farmer"}),
        (HAIDIAN, {"unit_id": "bj-haidian-g03", "page_size": 200}),
        (HAIDIAN, {"honour_status": "any", "page": 5, "page_size": 100}),
    ]


def run_search(call, rounds):
    samples, sizes = [], []
    for actor, query in search_queries():
        call("search_honourees", actor, query)  # warm up
    for _ in range(rounds):
        for actor, query in search_queries():
            started = time.perf_counter()
            page = call("search_honourees", actor, query)
            samples.append(time.perf_counter() - started)
            sizes.append(len(page["items"]))
    summary = latency_summary(samples)
    summary["queries"] = len(search_queries())
    summary["mean_items"] = sum(sizes) / len(sizes)
    return summary


def run_get_many(amqp_uri, db_uri, keys, ids, calls, warmup=20, batch=100):
    config = {"AMQP_URI": amqp_uri, "DB_URI": db_uri, "METRICS_PORT": 0, "max_workers": 10,
              "OUTBOX_RELAY": False, **keys}
    container = ServiceContainer(RegistryService, config)
    container.start()
    rng = random.Random(7)
    try:
        with ClusterRpcProxy(config, timeout=30) as cluster:
            get_many = cluster.registry.get_honourees
            for _ in range(warmup):
                get_many(CITY, rng.sample(ids, batch))
            samples = []
            for _ in range(calls):
                wanted = rng.sample(ids, batch)
                started = time.perf_counter()
                found = get_many(CITY, wanted)
                samples.append(time.perf_counter() - started)
                if [r["id"] for r in found] != wanted:
                    raise RuntimeError("get_honourees did not return the 100 records asked for, in order")
    finally:
        container.stop()
    return latency_summary(samples)


def timed(call, *args):
    started = time.perf_counter()
    result = call(*args)
    return time.perf_counter() - started, result


def run(amqp_uri, honourees=20_000, search_rounds=30, get_many_calls=300):
    directory = tempfile.mkdtemp(prefix="laomo-bench-registry-")
    db_uri = f"sqlite:///{directory}/registry.sqlite3"
    keys = {"PERSONAL_DATA_KEYS": new_key(), "BLIND_INDEX_KEY": new_key()}
    engine = None
    try:
        upgrade("registry", db_uri)
        clock = FrozenClock(NOW)
        engine = DatabaseEngine(db_uri, Base.metadata, "registry", clock)
        with engine.unit_of_work() as uow:
            for data in units():
                tree.add_unit(uow.session, data, NOW)
        call = Caller(engine, clock, sealer_from_config(keys))
        text, rows = synthetic_csv(honourees)
        result = {"honourees": honourees, "rows": rows, "csv_mb": len(text.encode("utf-8")) / 1e6,
                  "units": len(units()) + 18}

        result["dry_run_s"], dry = timed(call, "import_honourees", CITY, text, True)
        if dry["status"] != "valid":
            raise RuntimeError(f"the dry run found the synthetic file invalid: {dry['errors'][:3]}")
        result["import_s"], real = timed(call, "import_honourees", CITY, text, False)
        if real["status"] != "imported" or real["imported"] != honourees:
            raise RuntimeError(f"the import did not enter every honouree: {real['errors'][:3]}")
        result["honours"] = real["honours"]
        with engine.reading() as connection:
            result["outbox_events"] = connection.execute(sql("SELECT count(*) FROM outbox")).scalar_one()
            result["audit_rows"] = connection.execute(sql("SELECT count(*) FROM audit_log")).scalar_one()
            ids = [row[0] for row in connection.execute(sql("SELECT id FROM honourees"))]

        gc.collect()  # the import's garbage is not the searches' to pay for
        result["search"] = run_search(call, search_rounds)
        call("statistics", CITY, {})  # warm up
        result["statistics_s"], stats = timed(call, "statistics", CITY, {})
        result["team_size"] = stats["team"]["size"]
        result["export_s"], exported = timed(call, "export_honourees", CITY, {"honour_status": "any"})
        result["export_rows"] = exported.count("\r\n") - 1
        result["get_many"] = run_get_many(amqp_uri, db_uri, keys, ids, get_many_calls)
        return result
    finally:
        if engine is not None:
            engine.dispose()
        shutil.rmtree(directory, ignore_errors=True)
