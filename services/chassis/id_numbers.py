"""Citizen ID numbers (公民身份号码, GB 11643-1999): 17 digits and a check character.

Positions 1-6 are the area code, 7-14 the birth date (YYYYMMDD), 15-17 a
sequence (odd for men), 18 the ISO 7064 MOD 11-2 check character (0-9 or X).
"""
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"


def normalise(value):
    return value.strip().upper() if isinstance(value, str) else value


def check_character(first17):
    return CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def birth_date_of(value):
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def id_number_problem(value, birth_date=None):
    """Why ``value`` is not a valid ID number for someone born on ``birth_date``; None if it is."""
    value = normalise(value)
    if not isinstance(value, str) or len(value) != 18:
        return "must be 18 characters"
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return "must be 17 digits followed by a digit or X"
    if birth_date_of(value) is None:
        return "characters 7-14 are not a valid date"
    if check_character(value[:17]) != value[17]:
        return "the check character does not match (GB 11643)"
    if birth_date is not None and birth_date_of(value) != birth_date:
        return f"the birth date in the number ({birth_date_of(value).isoformat()}) differs from the birth date given"
    return None


def make_id_number(area, born, sequence):
    """A valid number, for tests and synthetic data: area '110105', a date, a sequence 0-999."""
    first17 = f"{area}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)
