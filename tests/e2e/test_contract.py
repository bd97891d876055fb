"""Schemathesis against the OpenAPI document the gateway serves: no server error, no reply off its schema.

A CI-sized run: a few generated requests per operation (positive and
negative), sent as an account holding every role and the personal-data
right, so the requests reach the services instead of stopping at 403. The
operations that would end that account's own token (logout, password change
and reset) are left to tests/e2e/test_auth_api.py.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from gateway.openapi import routes
from gateway.service import GatewayService
from services.chassis.actor import ROLES

from .conftest import ready_account

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection]
TOKEN_ENDING = ["logout", "change_password", "reset_password"]
EXAMPLES = 6  # per operation and mode: CI-sized


@pytest.fixture(scope="session")
def every_role(suite, city_admin):
    created = city_admin.post("/accounts", {"username": "contract.tester", "display_name": "契约测试",
                                            "unit_id": "bj", "roles": list(ROLES), "personal_data": True})
    assert created.status_code == 201, created.text
    return ready_account(suite["base"], "contract.tester", created.json()["one_time_password"])


@pytest.fixture(scope="session")
def served_document(suite, every_role):
    return schemathesis.openapi.from_url(f"{suite['base']}/api/v1/openapi.json")


# every operation with valid requests; those that take input with invalid ones too
CASES = sorted(
    [(name, GenerationMode.POSITIVE) for name, _, _ in routes(GatewayService) if name not in TOKEN_ENDING]
    + [(name, GenerationMode.NEGATIVE) for name, _, route in routes(GatewayService)
       if name not in TOKEN_ENDING and (route.query_schema or route.body_schema or "<" in route.url)])


@pytest.mark.parametrize(("operation_id", "mode"), CASES)
def test_the_api_keeps_to_its_document(operation_id, mode, served_document, suite, every_role):
    operation = served_document.find_operation_by_id(operation_id)
    headers = {"Authorization": f"Bearer {every_role.token}"}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def keeps_to_it(case):
        case.call_and_validate(base_url=suite["base"], headers=headers, checks=CHECKS, timeout=30)

    keeps_to_it()
