"""(to be written)"""


class RecuperationEntrypoints:
    pass
