"""(to be written)"""


class CareEntrypoints:
    pass
