"""Small helpers for figures: percentiles and a plain-text table."""
import math
import statistics


def percentile(samples, fraction):
    """Nearest-rank percentile of ``samples`` (``fraction`` 0.99 is p99)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def latency_summary(seconds):
    """median, p99, mean and max of a list of durations, in milliseconds."""
    ms = [s * 1000.0 for s in seconds]
    return {
        "calls": len(ms),
        "median_ms": statistics.median(ms),
        "p99_ms": percentile(ms, 0.99),
        "mean_ms": statistics.fmean(ms),
        "max_ms": max(ms),
    }


def table(headers, rows):
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    line = "  ".join("{:<%d}" % w for w in widths)
    out = [line.format(*headers), line.format(*("-" * w for w in widths))]
    out += [line.format(*(str(c) for c in row)) for row in rows]
    return "\n".join(out)
