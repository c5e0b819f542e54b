"""Source credentials, encrypted at rest with Fernet (AES-128-CBC and HMAC-SHA256).

The key is `RAPPORT_ENCRYPTION_KEY` when set (a Fernet key: 32 url-safe base64 bytes), else one
derived with HKDF from `SECRET_KEY`, so an embedded install needs no extra secret. Changing the
key makes stored credentials unreadable: `CredentialsUnreadable` says so instead of a traceback.
"""

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

KEY_ENV = "RAPPORT_ENCRYPTION_KEY"
_INFO = b"rapport.listening.credentials.v1"


class CredentialsUnreadable(Exception):
    """Stored credentials cannot be decrypted: the key changed or the value was altered."""


def _key() -> bytes:
    explicit: str | None = settings.RAPPORT_ENCRYPTION_KEY
    if explicit:
        return explicit.encode()
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        settings.SECRET_KEY.encode()
    )
    return base64.urlsafe_b64encode(derived)


def _fernet() -> Fernet:
    try:
        return Fernet(_key())
    except ValueError as error:
        raise CredentialsUnreadable(
            f"{KEY_ENV} is not a valid Fernet key (32 url-safe base64-encoded bytes): {error}"
        ) from None


def encrypt_credentials(credentials: dict[str, Any]) -> str:
    """A Fernet token for `credentials`; "" when there are none, so nothing is stored."""
    if not credentials:
        return ""
    data = json.dumps(credentials, sort_keys=True, separators=(",", ":")).encode()
    return _fernet().encrypt(data).decode("ascii")


def decrypt_credentials(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        data = _fernet().decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        raise CredentialsUnreadable(
            "The source's credentials cannot be decrypted: the encryption key (SECRET_KEY or "
            f"{KEY_ENV}) changed since they were saved. Enter the credentials again."
        ) from None
    value = json.loads(data)
    if not isinstance(value, dict):
        raise CredentialsUnreadable("The source's stored credentials are not an object.")
    return value
