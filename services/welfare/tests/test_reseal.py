"""Rotating the welfare service's personal-data key with `python -m services.chassis.reseal welfare`: hardship
facts, health results and sick-visit notes sealed under the old key are moved to the new one, rows without
notes are skipped, and the append-only ledger is never touched (the command refuses a table guarded against
UPDATE). Welfare keeps no blind index: ``--reindex`` has nothing to do."""
from functools import partial

import pytest

from services.chassis import reseal
from services.chassis.personal_data import PersonalDataError, Sealer, new_key
from services.chassis.testing import WorkerCalls, reseal_as_operator
from services.chassis.testing import sealed_values as stored_tokens
from services.welfare.models import SEALED_COLUMNS, Base
from services.welfare.service import WelfareService

from .conftest import HAIDIAN, PERSONAL_DATA_CONFIG
from .money import funded

OLD, INDEX = PERSONAL_DATA_CONFIG["PERSONAL_DATA_KEYS"], PERSONAL_DATA_CONFIG["BLIND_INDEX_KEY"]
ACTIVE = [{"level": "municipal", "status": "active"}]
CLEAR = dict(HAIDIAN, personal_data=True)
FACTS = "家庭月收入 1,800 元，配偶患尿毒症长期透析"
RESULTS = "血压 150/95，建议复查；空腹血糖 6.8"
NOTES = "脑梗术后恢复期，左侧肢体乏力"


run = partial(reseal_as_operator, "welfare")  # (monkeypatch, capsys, uri, keys, index_key, *args)


def sealed_values(welfare):
    return stored_tokens(welfare.engine, Base.metadata, SEALED_COLUMNS)


@pytest.fixture
def stored(welfare, registry):
    """A hardship application, two check-ups and two sick visits, one of them without notes."""
    for honouree_id, name in (("h-a", "李银行"), ("h-b", "王海淀")):
        registry.add_honouree(honouree_id, "hd-bank", name=name, honours=ACTIVE)
    fund = funded(welfare, HAIDIAN, amount=1_000_000, budget=800_000, budgets=("hardship_aid",), code="hd-aid")
    application = welfare.apply_hardship_aid(HAIDIAN, {
        "honouree_id": "h-a", "kind": "low_income", "amount": 300_000, "reasons": "因病致贫", "facts": FACTS,
        "fund_id": fund["id"]})["application"]
    check_ups = [welfare.record_health_check_up(HAIDIAN, {
        "honouree_id": honouree_id, "checked_on": "2026-01-10", "institution": "北京市劳模健康管理中心",
        "results": RESULTS}) for honouree_id in ("h-a", "h-b")]
    visits = [welfare.record_sick_visit(HAIDIAN, dict({
        "honouree_id": honouree_id, "visited_on": "2026-01-18", "visitors": ["张主席"], "place": "北京天坛医院"},
        **extra))["visit"] for honouree_id, extra in (("h-a", {"notes": NOTES}), ("h-b", {}))]
    return {"application": application["id"], "check_ups": [c["id"] for c in check_ups],
            "visits": [v["id"] for v in visits]}


def test_rotation_reseals_every_sealed_value_under_the_new_key(welfare, welfare_db_uri, stored,
                                                               monkeypatch, capsys):
    before = sealed_values(welfare)
    assert len(before) == 5 and [k for k, v in before.items() if v is None] == [
        ("sick_visits.notes_sealed", stored["visits"][1])]
    old = Sealer(OLD, INDEX)
    clear = {key: old.unseal(value) for key, value in before.items() if value is not None}
    new = new_key()
    only_new = WorkerCalls(WelfareService, welfare.engine, clock=welfare.clock, sealer=Sealer(new, INDEX),
                           registry=welfare.registry)
    with pytest.raises(PersonalDataError):  # before the run, the old key cannot go
        only_new.get_health_check_up(CLEAR, stored["check_ups"][0])

    status, out = run(monkeypatch, capsys, welfare_db_uri, f"{new},{OLD}", INDEX, "--batch", "1")
    assert status == 0
    assert "welfare hardship_applications: 1 rows examined, 1 re-sealed, 0 re-indexed" in out
    assert "welfare health_check_ups: 1 rows examined, 1 re-sealed, 0 re-indexed" in out  # batch by batch
    assert "welfare health_check_ups: 2 rows examined, 2 re-sealed, 0 re-indexed" in out
    assert "welfare sick_visits: 2 rows examined, 1 re-sealed, 0 re-indexed" in out
    assert "laomo: welfare: 5 rows examined, 4 re-sealed, 0 re-indexed" in out
    current = Sealer(new, INDEX)
    after = sealed_values(welfare)
    assert {key: value is None or current.is_current(value) for key, value in after.items()} == \
        dict.fromkeys(before, True)
    assert {key: current.unseal(value) for key, value in after.items() if value is not None} == clear

    status, out = run(monkeypatch, capsys, welfare_db_uri, f"{new},{OLD}", INDEX, "--reindex")
    assert status == 0 and "laomo: welfare: 5 rows examined, 0 re-sealed, 0 re-indexed" in out

    # the old key dropped: everything still reads, through the service
    assert only_new.get_hardship_application(CLEAR, stored["application"])["facts"] == FACTS
    assert [only_new.get_health_check_up(CLEAR, i)["results"] for i in stored["check_ups"]] == [RESULTS] * 2
    assert [only_new.get_sick_visit(CLEAR, i)["notes"] for i in stored["visits"]] == [NOTES, None]


def test_the_sealed_tables_are_not_append_only_and_the_command_refuses_one_that_is(welfare):
    tables = sorted({name.split(".")[0] for name in SEALED_COLUMNS})
    with welfare.engine.reading() as connection:
        assert {t: reseal.update_triggers(connection, t) for t in tables} == {t: [] for t in tables}
        assert reseal.update_triggers(connection, "postings") != []  # the ledger is guarded: the check sees it
    reseal.check_database(welfare.engine, "welfare", tables)
    with pytest.raises(reseal.ResealError, match="postings has UPDATE triggers"):
        reseal.check_database(welfare.engine, "welfare", ["postings"])
