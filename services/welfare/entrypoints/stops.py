"""(to be written)"""


class StopEntrypoints:
    pass
