"""(to be written)"""


class HardshipEntrypoints:
    pass
