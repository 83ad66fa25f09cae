"""Password hashing (Argon2id) and the password policy."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

PASSWORD_MIN_LENGTH = 10
# Long enough for any passphrase, short enough that hashing cannot be abused.
PASSWORD_MAX_LENGTH = 256


def password_problems(password: str) -> list[str]:
    """What the password lacks under the policy (empty when it is acceptable)."""
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(f"at least {PASSWORD_MIN_LENGTH} characters")
    if len(password) > PASSWORD_MAX_LENGTH:
        problems.append(f"at most {PASSWORD_MAX_LENGTH} characters")
    if not any(ch.isupper() for ch in password):
        problems.append("an upper-case letter")
    if not any(ch.islower() for ch in password):
        problems.append("a lower-case letter")
    if not any(ch.isdigit() for ch in password):
        problems.append("a digit")
    if not any(_is_symbol(ch) for ch in password):
        problems.append("a symbol")
    return problems


def _is_symbol(ch: str) -> bool:
    # Punctuation and symbols in any script count; letters, digits, spaces
    # and control characters do not.
    return unicodedata.category(ch)[0] in ("P", "S")


def describe_password_problems(problems: list[str]) -> str:
    return "Password needs " + ", ".join(problems) + "."


@dataclass(frozen=True)
class Verification:
    ok: bool
    new_hash: str | None = None  # set when the stored hash should be upgraded


class PasswordHashing:
    """Argon2id with the configured cost; knows how to verify and when to rehash."""

    def __init__(self, time_cost: int, memory_cost: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
            type=Type.ID,
        )
        # Unknown accounts are checked against this so that a login for a
        # missing user costs the same as one with a wrong password.
        self._dummy_hash = self._hasher.hash("skyframe-dummy-password")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> Verification:
        if stored_hash is None:
            self._check(self._dummy_hash, password)
            return Verification(ok=False)
        if not self._check(stored_hash, password):
            return Verification(ok=False)
        if self._hasher.check_needs_rehash(stored_hash):
            return Verification(ok=True, new_hash=self._hasher.hash(password))
        return Verification(ok=True)

    def _check(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
