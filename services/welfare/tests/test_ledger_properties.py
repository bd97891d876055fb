"""The ledger under random sequences of requests (hypothesis, stateful): appropriations, donations,
commitments, payments, voids, reversals, budget changes and retries of earlier requests, in any order.

A model in plain Python keeps what the fund should hold; after every step the service's figures must
match it, every refusal must be one the model expects, and the invariants (checked after each run and
by the fixture at the end) must hold. Each run works on a fund of its own, in one database per test.
"""
import itertools

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from services.chassis.errors import Conflict, LaomoError
from services.welfare import invariants

from .conftest import HAIDIAN
from .money import YEAR

PURPOSES = ("condolence", "hardship_aid")
amounts = st.integers(min_value=1, max_value=5_000)
_runs = itertools.count(1)


def test_random_sequences_keep_the_books(welfare):
    class Books(RuleBasedStateMachine):
        commitments = Bundle("commitments")
        posted = Bundle("posted")

        @initialize(budget=st.integers(min_value=5_000, max_value=30_000),
                    opening=st.integers(min_value=0, max_value=20_000))
        def a_fund(self, budget, opening):
            run = next(_runs)
            self.keys = itertools.count(1)
            self.fund = welfare.create_fund(HAIDIAN, {"code": f"prop-{run}", "name": "性质测试基金",
                                                      "kind": "district_aid", "purposes": list(PURPOSES)})["id"]
            self.posted_balance, self.pending = 0, 0
            self.budget = dict.fromkeys(PURPOSES, 0)
            self.used = dict.fromkeys(PURPOSES, 0)
            self.open = {}  # commitment id -> (amount, purpose)
            self.reversible = {}  # posting id -> (posted change, purpose or None)
            self.sent = {}  # idempotency key -> (the request, the answer first given)
            for purpose in PURPOSES:
                self.budget_of(purpose, budget)
            if opening:
                self.money_in(opening, "appropriation")

        def send(self, request):
            request = dict(request, idempotency_key=f"prop-{self.fund}-{next(self.keys)}", fund_id=self.fund)
            answer = self.answer(request)
            self.sent[request["idempotency_key"]] = (request, answer)
            return request, answer

        def answer(self, request):
            try:
                return welfare.post(HAIDIAN, request)
            except LaomoError as refusal:
                return (type(refusal), refusal.message)

        @property
        def available(self):
            return self.posted_balance - self.pending

        # money in ------------------------------------------------------------------------------
        @rule(amount=amounts, kind=st.sampled_from(["appropriation", "donation"]))
        def money_in(self, amount, kind):
            request, answer = self.send({"kind": kind, "amount": amount})
            assert isinstance(answer, dict), answer
            self.posted_balance += amount
            self.reversible[answer["id"]] = (amount, None)

        @rule(purpose=st.sampled_from(PURPOSES), amount=st.integers(min_value=0, max_value=30_000))
        def budget(self, purpose, amount):
            self.budget_of(purpose, amount)

        def budget_of(self, purpose, amount):
            try:
                welfare.set_budget(HAIDIAN, self.fund, {"year": YEAR, "purpose": purpose, "amount": amount})
            except Conflict:
                assert amount < self.used[purpose]
            else:
                assert amount >= self.used[purpose]
                self.budget[purpose] = amount

        # money out -----------------------------------------------------------------------------
        def spend(self, kind, amount, purpose):
            request, answer = self.send({"kind": kind, "amount": amount, "purpose": purpose})
            fits = amount <= self.available and self.used[purpose] + amount <= self.budget[purpose]
            assert isinstance(answer, dict) == fits, (answer, amount, self.available, self.used, self.budget)
            if fits:
                self.used[purpose] += amount
            return request, answer, fits

        @rule(target=commitments, amount=amounts, purpose=st.sampled_from(PURPOSES))
        def commit(self, amount, purpose):
            request, answer, fits = self.spend("commitment", amount, purpose)
            if fits:
                self.pending += amount
                self.open[answer["id"]] = (amount, purpose)
                return answer["id"]
            return multiple()

        @rule(target=posted, amount=amounts, purpose=st.sampled_from(PURPOSES))
        def pay(self, amount, purpose):
            request, answer, fits = self.spend("disbursement", amount, purpose)
            if fits:
                self.posted_balance -= amount
                self.reversible[answer["id"]] = (-amount, purpose)
                return answer["id"]
            return multiple()

        @rule(commitment=commitments, share=st.floats(min_value=0.01, max_value=1.0))
        def pay_commitment(self, commitment, share):
            held = self.open.pop(commitment, None)
            amount = max(1, int(held[0] * share)) if held else 1
            request, answer = self.send({"kind": "disbursement", "commitment_id": commitment, "amount": amount})
            assert isinstance(answer, dict) == (held is not None), answer
            if held:
                self.pending -= held[0]
                self.posted_balance -= amount
                self.used[held[1]] -= held[0] - amount
                self.reversible[answer["id"]] = (-amount, held[1])

        @rule(commitment=commitments)
        def void(self, commitment):
            held = self.open.pop(commitment, None)
            request, answer = self.send({"kind": "void", "commitment_id": commitment})
            assert isinstance(answer, dict) == (held is not None), answer
            if held:
                self.pending -= held[0]
                self.used[held[1]] -= held[0]

        @rule(posting=posted)
        def reverse(self, posting):
            self.undo(posting)

        @rule()
        def reverse_money_in(self):
            came_in = [p for p, (change, purpose) in self.reversible.items() if purpose is None]
            if came_in:
                self.undo(came_in[0])

        def undo(self, posting):
            change = self.reversible.pop(posting, None)
            request, answer = self.send({"kind": "reversal", "reverses_id": posting})
            if change is None:
                assert not isinstance(answer, dict), answer
                return
            fits = change[0] < 0 or change[0] <= self.available
            assert isinstance(answer, dict) == fits, (answer, change, self.available)
            if fits:
                self.posted_balance -= change[0]
                if change[1] is not None:
                    self.used[change[1]] += change[0]
            else:
                self.reversible[posting] = change

        @rule(kind=st.sampled_from(["void", "disbursement", "reversal"]))
        def name_what_is_not_there(self, kind):
            field = "reverses_id" if kind == "reversal" else "commitment_id"
            request, answer = self.send(dict({"kind": kind, field: "no-such-posting"},
                                             **({"amount": 1} if kind == "disbursement" else {})))
            assert answer[0].__name__ == "NotFound", answer

        @rule(data=st.data())
        def retry(self, data):
            """An earlier request again (after a timeout, say): the first answer, a refusal too; nothing moves."""
            if not self.sent:
                return
            request, first = self.sent[data.draw(st.sampled_from(sorted(self.sent)))]
            again = self.answer(request)
            if isinstance(first, dict):  # a commitment's state may have moved on since
                again, first = ({k: v for k, v in answer.items() if k != "commitment_status"}
                                for answer in (again, first))
            assert again == first

        # after every step ----------------------------------------------------------------------
        @invariant()
        def figures_match_the_model(self):
            if not hasattr(self, "fund"):
                return
            fund = welfare.get_fund(HAIDIAN, self.fund)
            assert fund["balances"] == {"posted": self.posted_balance, "pending": self.pending,
                                        "available": self.available}
            used = {b["purpose"]: b["used"] for b in fund["budgets"]}
            assert {p: used.get(p, 0) for p in PURPOSES} == self.used
            assert self.available >= 0

        def teardown(self):
            with welfare.engine.reading() as connection:
                assert invariants.violations(connection) == []

    run_state_machine_as_test(Books, settings=settings(
        max_examples=25, stateful_step_count=30, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))

