"""The yearly set of research results (调研成果) of the suggestion express lane (建言献策直通车).

The city federation records a result (its officers; 403 for another unit's): a title, the year, a
summary, the honourees who made it (1 to 20, each once, on the city's roster: 404 naming those not)
and, optionally, the suggestions it grew from (each must exist: 404 naming those not). A retry with
the same ``request_id`` returns the first result. The results are shared: everyone signed in reads
them; the year's set is listed newest first with its count (``total``). Every record is audited.
"""
from sqlalchemy import func, select

from services.chassis.audit import record_change
from services.chassis.database import add_once, earlier_request, new_id
from services.chassis.errors import Forbidden, NotFound

from .models.research import ResearchAuthor, ResearchResult, ResearchSource
from .models.suggestions import Suggestion


def get(session, result_id):
    found = None
    if isinstance(result_id, str) and len(result_id) <= 32:
        found = session.get(ResearchResult, result_id)
    if found is None:
        raise NotFound(f"no research result {result_id!r}", {"result_id": result_id})
    return found


def view(found):
    return {"id": found.id, "title": found.title, "year": found.year, "summary": found.summary,
            "honouree_ids": [a.honouree_id for a in found.authors],
            "suggestion_ids": [s.suggestion_id for s in found.sources],
            "recorded_by_account": found.recorded_by_account, "recorded_by_unit_id": found.recorded_by_unit_id,
            "request_id": found.request_id, "created_at": found.created_at.isoformat()}


def record(uow, actor, data, unit, rows):
    """``unit``: the actor's unit (its tier); ``rows``: the city's roster rows of the honourees."""
    session = uow.session
    earlier = earlier_request(session, ResearchResult, data.get("request_id"))
    if earlier is not None:
        return earlier, False
    if unit.get("tier") != "city":
        raise Forbidden("only the city federation records research results", {"unit_id": actor.unit_id})
    known = {r["honouree_id"] for r in rows}
    absent = [h for h in data["honouree_ids"] if h not in known]
    if absent:
        raise NotFound(f"no honouree {', '.join(absent)}", {"honouree_ids": absent})
    wanted = data.get("suggestion_ids") or []
    found = set(session.scalars(select(Suggestion.id).where(Suggestion.id.in_(wanted)))) if wanted else set()
    absent = [s for s in wanted if s not in found]
    if absent:
        raise NotFound(f"no suggestion {', '.join(absent)}", {"suggestion_ids": absent})
    made = ResearchResult(id=new_id(), request_id=data.get("request_id"), title=data["title"], year=data["year"],
                          summary=data["summary"], recorded_by_account=actor.account,
                          recorded_by_unit_id=actor.unit_id, created_at=uow.database.clock.now())
    authors = [ResearchAuthor(result_id=made.id, honouree_id=h) for h in data["honouree_ids"]]
    made, new = add_once(session, made, *authors, *[ResearchSource(result_id=made.id, suggestion_id=s) for s in wanted])
    if not new:
        return made, False
    session.expire(made, ["authors", "sources"])
    record_change(uow, actor, "research_result", made.id, "recorded", None,
                  {"title": made.title, "year": made.year, "honouree_ids": data["honouree_ids"],
                   "suggestion_ids": wanted})
    return made, True


def listing(session, params):
    where = []
    if params.get("year"):
        where.append(ResearchResult.year == params["year"])
    total = session.scalar(select(func.count()).select_from(ResearchResult).where(*where))
    page, size = params["page"], params["page_size"]
    found = session.scalars(select(ResearchResult).where(*where)
                            .order_by(ResearchResult.created_at.desc(), ResearchResult.id)
                            .limit(size).offset((page - 1) * size)).all() if total else []
    return [view(r) for r in found], total
