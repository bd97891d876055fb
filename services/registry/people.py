"""The honourees' vocabulary and the rules about them. Plain Python, no framework.

Chinese terms beside the codes the API uses.
"""
from enum import Enum

from services.chassis.people import (  # noqa: F401 - the shared vocabulary, used from here by the registry
    CATEGORY_FLAGS,
    Category,
    EmploymentStatus,
    Gender,
    Hardship,
    HonourLevel,
    IncomeBand,
    ManagementMode,
)


class HonourStatus(str, Enum):
    ACTIVE = "active"
    REVOKED = "revoked"


class ChangeKind(str, Enum):
    DEATH = "death"                          # 去世
    SERIOUS_ILLNESS = "serious_illness"      # 重病
    LEFT_EMPLOYER = "left_employer"          # 离开原单位
    LEGAL_PROCEEDINGS = "legal_proceedings"  # 涉诉/违法
    CONTACT_LOST = "contact_lost"            # 失联


# the category flags the nomination ratios and the statistics count

# fields that are personal data (个人敏感信息): sealed or masked unless the caller holds the right
PERSONAL_FIELDS = ("id_number", "income_band", "hardships")

TEAM_SIZE_TARGET = 20_000  # 北京劳模队伍规模: about 20,000 people

AGE_BANDS = ((0, 40, "under_40"), (40, 50, "40_49"), (50, 60, "50_59"), (60, 70, "60_69"),
             (70, 80, "70_79"), (80, 200, "80_and_over"))


def age_on(birth_date, day):
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def age_band(birth_date, day):
    age = age_on(birth_date, day)
    return next(name for low, high, name in AGE_BANDS if low <= age < high)


def verification_due(verified_year, employment_status, today):
    """A living honouree's record is due once per calendar year (年度更新)."""
    if employment_status == EmploymentStatus.DECEASED:
        return False
    return verified_year is None or verified_year < today.year
