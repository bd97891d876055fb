import pytest
from marshmallow import Schema, validate

from services.chassis.errors import Invalid
from services.chassis.schemas import (
    MAX_PAGE,
    MAX_PAGE_SIZE,
    PageRequest,
    Trimmed,
    load,
    page_of,
)


def test_a_page_request_has_defaults_and_bounds():
    assert load(PageRequest(), {}) == {"page": 1, "page_size": 50}
    assert load(PageRequest(), {"page": "3", "page_size": "200"}) == {"page": 3, "page_size": MAX_PAGE_SIZE}


@pytest.mark.parametrize("query, field", [
    ({"page": 0}, "page"), ({"page": MAX_PAGE + 1}, "page"),
    ({"page": 43006448474134158527488001774123483136}, "page"),  # would overflow SQL's integers
    ({"page_size": 0}, "page_size"), ({"page_size": MAX_PAGE_SIZE + 1}, "page_size"),
])
def test_a_page_out_of_bounds_is_refused(query, field):
    with pytest.raises(Invalid) as caught:
        load(PageRequest(), query)
    assert field in caught.value.details


def test_a_page_counts_its_pages():
    assert page_of(["a"], 101, 2, 50) == {"items": ["a"], "total": 101, "page": 2, "page_size": 50, "pages": 3}
    assert page_of([], 0, 1, 50)["pages"] == 0


class Note(Schema):
    text = Trimmed(validate=validate.Length(min=1, max=5))


def test_trimmed_text_is_trimmed_and_its_maximum_holds_for_what_was_sent():
    assert load(Note(), {"text": "  春节 "}, "note") == {"text": "春节"}
    with pytest.raises(Invalid) as refused:
        load(Note(), {"text": "\u00a0春节快乐了"}, "note")  # 6 characters as sent, 5 once trimmed
    assert "text" in refused.value.details
    with pytest.raises(Invalid):
        load(Note(), {"text": "   "}, "note")
