"""(to be written)"""


class HealthEntrypoints:
    pass
