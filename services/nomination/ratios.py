"""Structure ratios (结构比例) against a campaign's targets. Plain Python, no framework.

A target is a whole percentage: a minimum share for front-line workers,
farmers, migrant workers, non-public-enterprise and high-tech-enterprise
staff and intermediary organisations' staff, a maximum share for leaders and
cadres. Shares are compared in integers (count × 100 against percent ×
total), never in floating point. The counts come from one SQL aggregate
(reports.py); this module only judges them.
"""
from .vocabulary import MAX_MEASURES, MEASURES, target_key


def evaluate(total, counts, targets, body=0):
    """The report of a slate of ``total`` candidates with ``counts`` per measure.

    ``targets`` maps ``<measure>_min``/``<measure>_max`` to a percentage or None.
    Each measure: ``count``, ``share`` (0..1, 4 places), ``target`` (None or
    ``{"kind": "min"|"max", "percent": p}``), ``met`` (None with no target or
    an empty slate) and ``gap``: how many more such candidates a minimum needs,
    or how many too many a maximum has, at this size of slate (0 when met).
    """
    measures = {}
    for measure in MEASURES:
        count = int(counts.get(measure) or 0)
        percent = targets.get(target_key(measure)) if targets else None
        entry = {"count": count, "share": share(count, total), "target": None, "met": None, "gap": 0}
        if percent is not None:
            kind = "max" if measure in MAX_MEASURES else "min"
            entry["target"] = {"kind": kind, "percent": percent}
            if total:
                if kind == "min":
                    needed = -(-percent * total // 100)  # ceil: the fewest that reach the share
                    entry["met"] = count * 100 >= percent * total
                    entry["gap"] = max(needed - count, 0)
                else:
                    allowed = percent * total // 100
                    entry["met"] = count * 100 <= percent * total
                    entry["gap"] = max(count - allowed, 0)
        measures[measure] = entry
    judged = [m["met"] for m in measures.values() if m["met"] is not None]
    return {
        "total": total,
        "measures": measures,
        "body": {"count": int(body or 0), "share": share(body or 0, total)},
        "all_met": all(judged) if judged else None,
    }


def share(count, total):
    return round(count / total, 4) if total else 0.0
