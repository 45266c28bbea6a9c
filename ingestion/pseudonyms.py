"""Pseudonymous keys: HMAC-SHA256 of an identifier with the installation's secret, so the same
customer has the same key everywhere, and the key cannot be turned back into the customer number by
anyone without the secret (an unkeyed hash of a customer number is reversed by trying them all).

The secret is $NPS_PSEUDONYM_KEY. Without it, the installation's own key is used: a random key
written once to data/pseudonym.key, readable by its owner only (0600), so a fresh clone works
without setup and the keys stay stable from run to run. The key never goes into SQL, dbt vars or logs.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

PSEUDONYM_KEY_ENV = "NPS_PSEUDONYM_KEY"
KEY_FILE_NAME = "pseudonym.key"


class PseudonymKeyError(Exception):
    """The installation's key file cannot be used (unsafe permissions, empty)."""


def pseudonym_key(data_dir: Path) -> bytes:
    """$NPS_PSEUDONYM_KEY, else the key in data_dir/pseudonym.key (created on first use)."""
    from_environment = os.environ.get(PSEUDONYM_KEY_ENV)
    if from_environment:
        return from_environment.encode()
    path = data_dir / KEY_FILE_NAME
    if not path.exists():
        _create_key_file(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise PseudonymKeyError(
            f"{path}: the pseudonymisation key is readable by others (mode {mode:o}); "
            f"`chmod 600 {path}`, or set ${PSEUDONYM_KEY_ENV}"
        )
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise PseudonymKeyError(f"{path}: empty pseudonymisation key; delete the file (a new key is made) or set ${PSEUDONYM_KEY_ENV}")
    return key.encode()


def pseudonym(key: bytes, value: str) -> str:
    """64 hex characters."""
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def _create_key_file(path: Path) -> None:
    """Written whole to a private file and linked into place: a concurrent first run either makes
    the key or reads the other's, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_hex(32) + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(partial, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
    finally:
        partial.unlink(missing_ok=True)
