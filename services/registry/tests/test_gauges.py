"""The registry's business gauges: what the dashboards and the overdue-verification alert read."""
from datetime import date

from services.chassis.id_numbers import make_id_number
from services.registry.gauges import figures

CITY = {"account": "zhao.city", "unit_id": "bj"}
HAIDIAN = {"account": "li.district", "unit_id": "bj-haidian"}


def person(sequence, honours=({"honour_type": "beijing_model_worker", "year": 2015},)):
    born = date(1968, 5, 1)
    return {"name": "王秀英", "gender": "female", "ethnicity": "汉族", "birth_date": born.isoformat(),
            "id_number": make_id_number("110108", born, sequence), "category": "worker",
            "managing_unit_id": "bj-haidian", "honours": list(honours)}


def read(registry):
    with registry.engine.reading_session() as session:
        samples = figures(session, registry.clock.today())
    return {(name, tuple(sorted(labels.items()))): value for name, _, labels, value in samples}


def test_counts_the_living_with_an_active_honour_and_who_is_not_verified_this_year(registry):
    assert read(registry) == {("laomo_honourees_active", ()): 0, ("laomo_verifications_due", ()): 0,
                              ("laomo_verifications_overdue", ()): 0}
    verified = registry.register_honouree(HAIDIAN, person(1))
    overdue = registry.register_honouree(HAIDIAN, person(2, honours=(
        {"honour_type": "beijing_model_worker", "year": 2010},
        {"honour_type": "national_model_worker", "year": 2015})))
    revoked = registry.register_honouree(HAIDIAN, person(3))
    deceased = registry.register_honouree(HAIDIAN, person(4))

    registry.verify_honouree(HAIDIAN, verified["id"], {"outcome": "confirmed"})
    revocation = registry.request_revocation(HAIDIAN, revoked["honours"][0]["id"], {"reasons": "因违法被追究刑事责任"})
    registry.decide_revocation(CITY, revocation["id"], {"decision": "revoke", "reasons": "撤销"})
    registry.report_change(HAIDIAN, deceased["id"], {"kind": "death", "description": "病故"})

    figures_now = read(registry)
    assert figures_now[("laomo_honourees_active", ())] == 2        # not the revoked, not the deceased
    assert figures_now[("laomo_verifications_due", ())] == 3       # the living, honour or not
    assert figures_now[("laomo_verifications_overdue", ())] == 2   # the living not verified in 2024
    # by level: the living's; neither the revoked honour nor the deceased's counts
    assert figures_now[("laomo_honours_active", (("level", "municipal"),))] == 2
    assert figures_now[("laomo_honours_active", (("level", "national"),))] == 1
    assert overdue["id"] != verified["id"]
