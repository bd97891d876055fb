"""(to be written)"""


def violations(connection):
    return []
