"""CSV cells that spreadsheet programs open safely (CSV injection, OWASP).

Excel, WPS and LibreOffice run a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula. laomo's CSV exports write such text with a leading apostrophe, which those
programs show as text and hide; imports take one such apostrophe off again, so an exported file
imports unchanged. Numbers are written as they are.
"""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """The value as a CSV cell: None is empty; text that would run as a formula starts with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def uncell(text):
    """A cell's text as written by :func:`cell`: the guarding apostrophe taken off again."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
