"""Password hashing with pwdlib's recommended Argon2 settings. Hashing is slow on purpose, so
it runs in a worker thread instead of blocking the event loop."""

import asyncio
from functools import cache

from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


@cache
def _decoy_hash() -> str:
    return _hasher.hash("not a password anyone has")


async def verify_password(password: str, hashed: str | None) -> bool:
    """False for a person without a password too, after the same amount of work, so response
    times do not reveal which emails exist."""
    matches = await asyncio.to_thread(_hasher.verify, password, hashed or _decoy_hash())
    return matches and hashed is not None
