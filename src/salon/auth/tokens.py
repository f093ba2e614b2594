"""Opaque bearer tokens. Only a SHA-256 digest is stored: tokens carry 256 random bits, so a
slow password hash would add cost without adding safety, and the digest is looked up by index
(no comparison of secrets in Python, hence nothing to time)."""

import hashlib
import secrets

TOKEN_PREFIX = "sln_"  # noqa: S105 (a prefix, not a secret)
API_KEY_PREFIX = "slk_"
RATING_LINK_PREFIX = "slr_"


def generate_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def generate_api_key() -> str:
    """An API key is exchanged for tokens (POST /auth/token); stored hashed like them."""
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def generate_rating_link() -> str:
    """A rater's link to one rating (`/public/ratings/{token}`): stored hashed like tokens."""
    return RATING_LINK_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
