"""The access matrix of the welfare ledger's routes (see matrix.py): funds, budgets, postings.

海淀's drivers use its seeded fund (bj-haidian-aid) or funds they make; 朝阳's seeded fund
(bj-chaoyang-aid) is the record 海淀 must not see."""
from .matrix import NotApplicable, Route, assert_error, get, hidden, tag

HAIDIAN_FUND = "bj-haidian-aid"
CHAOYANG_FUND = "bj-chaoyang-aid"
YEAR = {"from": "2021-01-01", "to": "2030-12-31"}
BUDGET = {"year": 2026, "purpose": "condolence", "amount": 100_000}


def new_fund(w, who="haidian.finance"):
    return w.ok(who, "POST", "/funds", 201, json={
        "code": f"hd-{tag()}", "name": "海淀矩阵基金", "kind": "district_aid", "purposes": ["condolence"]})


def appropriation(fund_id):
    return {"idempotency_key": f"matrix-{tag()}", "kind": "appropriation", "fund_id": fund_id, "amount": 1_000}


def posted(w, who="haidian.finance", fund_id=HAIDIAN_FUND):
    return w.ok(who, "POST", "/postings", 201, json=appropriation(fund_id))


def chaoyang_posting(w):
    return posted(w, "chaoyang.finance", CHAOYANG_FUND)["id"]


def funds_of_chaoyang_absent(w):
    codes = {f["code"] for f in w.ok("haidian.officer", "GET", "/funds", 200, params={"page_size": 200})["items"]}
    assert HAIDIAN_FUND in codes and CHAOYANG_FUND not in codes


def no_fund_for_chaoyang(w):
    response = w.call("haidian.finance", "POST", "/api/v1/funds", json={
        "code": f"cy-{tag()}", "name": "替朝阳建的基金", "kind": "district_aid", "purposes": ["condolence"],
        "owner_unit_id": "bj-chaoyang"})
    assert_error(response, 404, "not_found")


def no_posting_to_chaoyang(w):
    assert_error(w.call("haidian.finance", "POST", "/api/v1/postings", json=appropriation(CHAOYANG_FUND)), 404,
                 "not_found")
    chaoyang_posting(w)
    ids = {p["fund_id"] for p in w.ok("haidian.finance", "GET", "/postings", 200,
                                      params={"page_size": 200})["items"]}
    assert CHAOYANG_FUND not in ids


def no_chaoyang_rows_in_the_csv(w):
    chaoyang_posting(w)
    text = w.call("haidian.auditor", "GET", "/api/v1/postings/export", params=YEAR).text
    assert "bj-chaoyang-aid" not in text
    assert_error(w.call("haidian.auditor", "GET", "/api/v1/postings/export",
                        params=dict(YEAR, fund_id=CHAOYANG_FUND)), 404, "not_found")


def is_csv(response):
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8").lstrip("\ufeff").startswith("seq,posting_id,at,fund_code")


MATRIX = {
    ("GET", "/api/v1/funds"): Route(get("haidian.officer", "/funds"), other=funds_of_chaoyang_absent),
    ("POST", "/api/v1/funds"): Route(
        lambda w: w.call("haidian.finance", "POST", "/api/v1/funds", json={
            "code": f"hd-{tag()}", "name": "海淀新基金", "kind": "district_aid", "purposes": ["hardship_aid"]}),
        other=no_fund_for_chaoyang),
    ("GET", "/api/v1/funds/<string:fund_id>"): Route(
        get("haidian.officer", f"/funds/{HAIDIAN_FUND}"),
        other=hidden("GET", "/api/v1/funds/<string:fund_id>", lambda w: CHAOYANG_FUND, "haidian.officer")),
    ("PATCH", "/api/v1/funds/<string:fund_id>"): Route(
        lambda w: w.call("haidian.finance", "PATCH", f"/api/v1/funds/{new_fund(w)['id']}",
                         json={"add_purposes": ["sick_visit"]}),
        other=hidden("PATCH", "/api/v1/funds/<string:fund_id>", lambda w: CHAOYANG_FUND, "haidian.finance",
                     body={"name": "改名"})),
    ("POST", "/api/v1/funds/<string:fund_id>/budgets"): Route(
        lambda w: w.call("haidian.finance", "POST", f"/api/v1/funds/{new_fund(w)['id']}/budgets", json=BUDGET),
        other=hidden("POST", "/api/v1/funds/<string:fund_id>/budgets", lambda w: CHAOYANG_FUND, "haidian.finance",
                     body=BUDGET)),
    ("GET", "/api/v1/funds/<string:fund_id>/statement"): Route(
        get("haidian.auditor", f"/funds/{HAIDIAN_FUND}/statement", params=YEAR),
        other=hidden("GET", "/api/v1/funds/<string:fund_id>/statement?from=2021-01-01&to=2030-12-31",
                     lambda w: CHAOYANG_FUND, "haidian.finance")),
    ("GET", "/api/v1/funds/<string:fund_id>/audit"): Route(
        lambda w: w.call("haidian.auditor", "GET", f"/api/v1/funds/{new_fund(w)['id']}/audit"),
        other=hidden("GET", "/api/v1/funds/<string:fund_id>/audit", lambda w: CHAOYANG_FUND, "haidian.auditor")),
    ("POST", "/api/v1/postings"): Route(
        lambda w: w.call("haidian.finance", "POST", "/api/v1/postings", json=appropriation(HAIDIAN_FUND)),
        other=no_posting_to_chaoyang),
    ("GET", "/api/v1/postings"): Route(get("haidian.auditor", "/postings"),
                                       other=NotApplicable("a list: 朝阳's postings are absent (POST /postings)")),
    ("GET", "/api/v1/postings/export"): Route(get("haidian.auditor", "/postings/export", params=YEAR),
                                              check=is_csv, other=no_chaoyang_rows_in_the_csv),
    ("GET", "/api/v1/postings/<string:posting_id>"): Route(
        lambda w: w.call("haidian.finance", "GET", f"/api/v1/postings/{posted(w)['id']}"),
        other=hidden("GET", "/api/v1/postings/<string:posting_id>", chaoyang_posting, "haidian.finance")),
}
