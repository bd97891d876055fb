"""Service tests of RegistryService on a real RabbitMQ: what a caller in another process sees.

Each test gets its own virtual host (nameko's ``rabbit_config``) and a fresh
registry database migrated with the real Alembic history (SQLite, and
PostgreSQL under ``make test``).
"""
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.chassis.errors import Conflict, Invalid, NotFound
from services.registry.service import RegistryService


@pytest.fixture
def registry_container(container_factory, registry_config):
    container = container_factory(RegistryService, registry_config)
    container.start()
    return container


@pytest.fixture
def registry(registry_container, rabbit_config):
    with ServiceRpcProxy("registry", rabbit_config, timeout=10) as proxy:
        yield proxy


def test_health_reports_ok_with_an_empty_outbox(registry):
    assert registry.health() == {"service": "registry", "status": "ok", "outbox_backlog": 0}


def test_a_unit_arrives_with_its_chinese_name(registry):
    assert registry.get_unit("bj-etown") == {
        "id": "bj-etown", "name": "北京经济技术开发区总工会", "tier": "district", "parent_id": "bj",
        "system_parent_id": None, "created_at": "2015-01-09T00:00:00+00:00"}


def test_not_found_arrives_as_not_found_with_its_details(registry):
    with pytest.raises(NotFound) as raised:
        registry.get_unit("bj-atlantis")
    assert type(raised.value) is NotFound
    assert raised.value.message == "no unit 'bj-atlantis'"
    assert raised.value.details == {"unit_id": "bj-atlantis"}


def test_invalid_arrives_as_invalid_with_its_field_details(registry):
    with pytest.raises(Invalid) as raised:
        registry.create_unit({"id": "Not An Id", "tier": "grassroots", "parent_id": "bj-haidian"})
    assert type(raised.value) is Invalid
    assert set(raised.value.details) == {"id", "name"}
    assert all(isinstance(messages, list) and messages for messages in raised.value.details.values())


def test_placement_and_paging_errors_arrive_as_invalid(registry):
    with pytest.raises(Invalid) as raised:
        registry.create_unit({"id": "bj-new", "name": "新区总工会", "tier": "district",
                              "parent_id": "bj-haidian"})
    assert set(raised.value.details) == {"parent_id"}
    with pytest.raises(Invalid) as raised:
        registry.list_units({"page_size": 1000})
    assert set(raised.value.details) == {"page_size"}


def test_a_created_unit_is_committed_and_a_refused_one_leaves_nothing(registry):
    created = registry.create_unit({"id": "hd-bank", "name": "海淀银行工会", "tier": "grassroots",
                                    "parent_id": "bj-haidian"})
    assert registry.get_unit("hd-bank") == created
    with pytest.raises(Conflict) as raised:
        registry.create_unit({"id": "hd-bank-2", "name": "海淀银行工会", "tier": "grassroots",
                              "parent_id": "bj-haidian"})
    assert type(raised.value) is Conflict
    assert raised.value.details == {"unit_id": "hd-bank"}
    assert registry.scope_of("bj-haidian") == ["bj-haidian", "hd-bank"]
    assert registry.list_units()["total"] == 19
