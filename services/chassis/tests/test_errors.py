import pytest
from nameko.exceptions import deserialize, serialize

from services.chassis.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    ServiceTimeout,
)


@pytest.mark.parametrize("error_class, status", [
    (Invalid, 422), (NotFound, 404), (Conflict, 409), (Forbidden, 403), (ServiceTimeout, 504)])
def test_errors_survive_nameko_serialisation(error_class, status):
    original = error_class("身份证号码已存在", {"id_number": ["duplicate"], "existing": "h-1"})
    copy = deserialize(serialize(original))
    assert type(copy) is error_class
    assert copy.message == "身份证号码已存在"
    assert copy.details == {"id_number": ["duplicate"], "existing": "h-1"}
    assert copy.http_status == status
    assert copy.to_dict() == {"error": error_class.code, "message": "身份证号码已存在",
                              "details": {"id_number": ["duplicate"], "existing": "h-1"}}


def test_details_keep_their_json_types_across_serialisation():
    details = {"version": 2, "rate": 0.5, "verified": True, "occurred_on": None, "years": [2024, 2025],
               "nested": {"count": 3}}
    copy = deserialize(serialize(Conflict("版本已变", details)))
    assert copy.details == details


def test_details_default_to_empty():
    assert NotFound("gone").details == {}
    assert str(NotFound("gone")) == "gone"
