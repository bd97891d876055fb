"""The access matrix of the welfare service's condolence routes (春节慰问; see matrix.py).

海淀's drivers make a fund of their own (allowing condolence, holding no money: a run pays nobody,
every item fails, and no other module's figures move) and a campaign paid from it; 朝阳's campaign
and run are the records 海淀 must not see."""
from .matrix import Route, assert_error, get, hidden, tag

CAMPAIGNS = "/api/v1/condolence-campaigns"
CAMPAIGN = "/api/v1/condolence-campaigns/<string:campaign_id>"
AMOUNTS = {"national": 200_000, "municipal": 100_000, "district": 50_000}


def new_fund(w, who):
    return w.ok(who, "POST", "/funds", 201, json={
        "code": f"cc-{tag()}", "name": "慰问矩阵基金", "kind": "district_aid", "purposes": ["condolence"]})["id"]


def campaign_body(fund_id):
    return {"title": f"春节慰问{tag()}", "year": 2026, "amounts": AMOUNTS, "fund_id": fund_id}


def new_campaign(w, officer="haidian.officer", finance="haidian.finance"):
    return w.ok(officer, "POST", "/condolence-campaigns", 201, json=campaign_body(new_fund(w, finance)))["id"]


def chaoyang_campaign(w):
    if "condolence_campaign" not in w.chaoyang:
        w.chaoyang["condolence_campaign"] = new_campaign(w, "chaoyang.officer", "chaoyang.finance")
    return w.chaoyang["condolence_campaign"]


def chaoyang_batch(w):
    if "condolence_batch" not in w.chaoyang:
        campaign_id = new_campaign(w, "chaoyang.officer", "chaoyang.finance")
        w.chaoyang["condolence_batch"] = w.ok("chaoyang.finance", "POST", f"/condolence-campaigns/{campaign_id}/batches",
                                              202, json={})["id"]
    return w.chaoyang["condolence_batch"]


def chaoyang_campaigns_absent(w):
    campaign_id = chaoyang_campaign(w)
    ids = {c["id"] for c in w.ok("haidian.officer", "GET", "/condolence-campaigns", 200,
                                 params={"page_size": 200})["items"]}
    assert campaign_id not in ids
    assert campaign_id in {c["id"] for c in w.ok("chaoyang.officer", "GET", "/condolence-campaigns", 200,
                                                 params={"page_size": 200})["items"]}


def no_campaign_on_chaoyangs_fund(w):
    chaoyang_fund = new_fund(w, "chaoyang.finance")
    response = w.call("haidian.officer", "POST", "/api/v1/condolence-campaigns", json=campaign_body(chaoyang_fund))
    assert_error(response, 404, "not_found")


def run(w):
    return w.call("haidian.finance", "POST", f"/api/v1/condolence-campaigns/{new_campaign(w)}/batches", json={})


MATRIX = {
    ("GET", CAMPAIGNS): Route(get("haidian.officer", "/condolence-campaigns"), other=chaoyang_campaigns_absent),
    ("POST", CAMPAIGNS): Route(
        lambda w: w.call("haidian.officer", "POST", CAMPAIGNS, json=campaign_body(new_fund(w, "haidian.finance"))),
        other=no_campaign_on_chaoyangs_fund),
    ("GET", CAMPAIGN): Route(
        lambda w: w.call("haidian.auditor", "GET", f"{CAMPAIGNS}/{new_campaign(w)}"),
        other=hidden("GET", CAMPAIGN, chaoyang_campaign, "haidian.officer")),
    ("GET", CAMPAIGN + "/preview"): Route(
        lambda w: w.call("haidian.officer", "GET", f"{CAMPAIGNS}/{new_campaign(w)}/preview"),
        other=hidden("GET", CAMPAIGN + "/preview", chaoyang_campaign, "haidian.officer")),
    ("POST", CAMPAIGN + "/batches"): Route(
        run, other=hidden("POST", CAMPAIGN + "/batches", chaoyang_campaign, "haidian.finance", body={})),
    ("GET", CAMPAIGN + "/batches"): Route(
        lambda w: w.call("haidian.reviewer", "GET", f"{CAMPAIGNS}/{new_campaign(w)}/batches"),
        other=hidden("GET", CAMPAIGN + "/batches", chaoyang_campaign, "haidian.officer")),
    ("GET", CAMPAIGN + "/items"): Route(
        lambda w: w.call("haidian.officer", "GET", f"{CAMPAIGNS}/{new_campaign(w)}/items",
                         params={"state": "pending"}),
        other=hidden("GET", CAMPAIGN + "/items", chaoyang_campaign, "haidian.officer")),
    ("GET", "/api/v1/condolence-batches/<string:batch_id>"): Route(
        lambda w: w.call("haidian.auditor", "GET", f"/api/v1/condolence-batches/{run(w).json()['id']}"),
        other=hidden("GET", "/api/v1/condolence-batches/<string:batch_id>", chaoyang_batch, "haidian.officer")),
}
