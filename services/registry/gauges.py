"""The registry's business figures for Prometheus (``laomo_honourees_active`` and the rest).

Read at scrape time by :class:`services.chassis.metrics.BusinessGauges`; city-wide counts, no
labels beyond the honour level, so no series names a person or a unit.
"""
from sqlalchemy import and_, case, distinct, func, or_, select

from .models import Honour, Honouree
from .people import EmploymentStatus, HonourStatus


def figures(session, today):
    # counted from the honours' covering index, the deceased left out by one small subquery: a join to
    # each honouree row cost ~100 ms over 20,000 records (bench: operations)
    deceased = select(Honouree.id).where(Honouree.employment_status == EmploymentStatus.DECEASED)
    held_by_the_living = and_(Honour.status == HonourStatus.ACTIVE, Honour.honouree_id.not_in(deceased))
    active = session.scalar(select(func.count(distinct(Honour.honouree_id))).where(held_by_the_living))
    due, overdue = session.execute(select(
        func.count(), func.coalesce(func.sum(case((or_(Honouree.verified_year.is_(None),
                                                       Honouree.verified_year < today.year), 1), else_=0)), 0))
        .where(Honouree.employment_status != EmploymentStatus.DECEASED)).one()
    samples = [
        ("laomo_honourees_active", "Living honourees holding at least one active honour.", {}, active),
        ("laomo_verifications_due", "Living records due this calendar year's verification (年度更新).", {}, due),
        ("laomo_verifications_overdue", "Living records not yet verified this calendar year.", {}, overdue),
    ]
    for level, count in session.execute(select(Honour.level, func.count())
                                         .where(held_by_the_living).group_by(Honour.level)):
        samples.append(("laomo_honours_active", "Active honours of living holders, by level.",
                        {"level": level.value}, count))
    return samples
