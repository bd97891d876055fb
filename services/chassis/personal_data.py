"""Personal data at rest: sealed (Fernet), found by a keyed blind index, shown masked.

- ``seal``/``unseal``: Fernet tokens under ``PERSONAL_DATA_KEYS`` (comma-
  separated; the first seals, all unseal), so a key can be rotated: put the
  new key first, re-seal the stored values (``reseal``), then drop the old.
- ``blind_index``: HMAC-SHA256 under ``BLIND_INDEX_KEY`` of the normalised
  value: exact look-up and duplicate detection without storing the value.
- ``mask_id_number``: the first 6 and last 4 characters, the rest hidden.

Keys come from the environment (``!raw_env_var`` in config, never parsed as
YAML); a missing key is a configuration error at start, not a silent default.
"""
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from nameko.extensions import DependencyProvider

MASK = "*"


class PersonalDataError(Exception):
    """A key is missing or wrong, or a sealed value cannot be opened."""


class Sealer:
    def __init__(self, sealing_keys, index_key):
        keys = [k.strip() for k in (sealing_keys or "").split(",") if k.strip()]
        if not keys:
            raise PersonalDataError("PERSONAL_DATA_KEYS is not set: personal data cannot be sealed")
        if not index_key:
            raise PersonalDataError("BLIND_INDEX_KEY is not set: personal data cannot be indexed")
        try:
            self.fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        except ValueError as exc:
            raise PersonalDataError(f"a PERSONAL_DATA_KEYS entry is not a Fernet key: {exc}") from None
        self.current = Fernet(keys[0].encode())
        self.index_key = index_key.encode()

    def seal(self, value):
        return self.fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def unseal(self, token):
        try:
            return self.fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise PersonalDataError("a sealed value does not open with any configured key") from None

    def reseal(self, token):
        """The same value sealed under the current key (for key rotation)."""
        return self.fernet.rotate(token.encode("ascii")).decode("ascii")

    def is_current(self, token):
        try:
            self.current.decrypt(token.encode("ascii"))
            return True
        except InvalidToken:
            return False

    def blind_index(self, value):
        return hmac.new(self.index_key, value.strip().upper().encode("utf-8"), hashlib.sha256).hexdigest()


def mask_id_number(value):
    if not value:
        return value
    if len(value) <= 10:
        return MASK * len(value)
    return value[:6] + MASK * (len(value) - 10) + value[-4:]


def new_key():
    return Fernet.generate_key().decode("ascii")


def sealer_from_config(config):
    return Sealer(config.get("PERSONAL_DATA_KEYS"), config.get("BLIND_INDEX_KEY"))


class PersonalData(DependencyProvider):
    """Injects the service's :class:`Sealer`; refuses to start without keys."""

    def setup(self):
        self.sealer = sealer_from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.sealer


if __name__ == "__main__":
    print(new_key())  # python -m services.chassis.personal_data: a fresh key
