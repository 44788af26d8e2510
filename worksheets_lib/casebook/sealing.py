"""Sealed (encrypted) client bundles: what leaves an encrypted casebook stays encrypted.

A sealed bundle is the bundle's JSON encrypted with AES-256-GCM (the
``cryptography`` package), which also detects any change to the file. Its
first line names the format, its second line (JSON) says how the key is
made, and both are authenticated with the data:

* ``"key": "casebook"``: from the key of the encrypted casebook it was
  exported from (HKDF-SHA256 with a random salt), so it opens in that casebook,
  or any casebook with the same key, without a word;
* ``"key": "passphrase"``: from a passphrase (scrypt, n=2^15, r=8, p=1), to
  carry a client to another practice.

Nothing else is in the clear: not the client's id, not the bundle's size class.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Iterable

from ..errors import BundleError
from .keys import ENV_EXPORT_PASSPHRASE, MIN_PASSPHRASE, Key, check_new_passphrase, secret_bytes

MAGIC = b"worksheets-sealed-bundle 1\n"
ENV_PASSPHRASE = ENV_EXPORT_PASSPHRASE
SCRYPT = {"n": 2 ** 15, "r": 8, "p": 1}
_INFO = b"worksheets sealed bundle"


def is_sealed(raw: bytes) -> bool:
    return raw.startswith(MAGIC)


def needs_casebook_key(raw: bytes) -> bool:
    """Whether the sealed bundle *raw* opens with a casebook's key (not a passphrase)."""
    try:
        return _header(raw, "bundle")[0].get("key") == "casebook"
    except BundleError:
        return False


def seal(data: bytes, key: Key | None = None, passphrase: str | None = None) -> bytes:
    """Encrypt bundle JSON with a casebook's *key*, or with *passphrase*."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = os.urandom(16), os.urandom(12)
    if key is not None:
        header = {"key": "casebook", "salt": _b64(salt), "nonce": _b64(nonce)}
        secret = _from_key(key, salt)
    elif passphrase is not None:
        header = {"key": "passphrase", "kdf": "scrypt", **SCRYPT, "salt": _b64(salt),
                  "nonce": _b64(nonce)}
        secret = _from_passphrase(passphrase, salt, SCRYPT)
    else:
        raise ValueError("a key or a passphrase is needed to seal a bundle")
    top = MAGIC + json.dumps(header, sort_keys=True).encode("ascii") + b"\n"
    return top + AESGCM(secret).encrypt(nonce, data, top)


def unseal(raw: bytes, source: str, keys: Iterable[Key],
           passphrase: Callable[[], str | None]) -> bytes:
    """The bundle JSON inside a sealed bundle; a one-line error when it cannot be opened.

    *keys* are tried for a casebook-key bundle; *passphrase()* is asked for a
    passphrase bundle (it returns None when no one can be asked).
    """
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    header, top, body = _header(raw, source)
    salt, nonce = _field(header, "salt", source), _field(header, "nonce", source)
    if header.get("key") == "casebook":
        for key in keys:
            try:
                return AESGCM(_from_key(key, salt)).decrypt(nonce, body, top)
            except InvalidTag:
                continue
        raise BundleError(source, ["is sealed with the key of an encrypted casebook, and the "
                                   "casebook it is being imported into has another key (or "
                                   "the file was changed); nothing was imported. Ask for it "
                                   "to be exported again with --passphrase"])
    if header.get("key") == "passphrase" and header.get("kdf") == "scrypt":
        params = {name: header.get(name) for name in SCRYPT}
        if params != SCRYPT:  # only what worksheets writes: a forged cost cannot run long
            raise BundleError(source, ["is not a sealed bundle written by worksheets (its "
                                       "key settings are not ours)"])
        text = passphrase()
        if not text:
            raise BundleError(source, ["is sealed with a passphrase: run the command in a "
                                       f"terminal to be asked for it, or set {ENV_PASSPHRASE}"])
        try:
            return AESGCM(_from_passphrase(text, salt, params)).decrypt(nonce, body, top)
        except InvalidTag:
            raise BundleError(source, ["the passphrase does not open it (or the file was "
                                       "changed); nothing was imported"]) from None
    raise BundleError(source, ["is not a sealed bundle written by worksheets"])


def check_passphrase(text: str | None) -> str:
    if not text:
        raise BundleError("passphrase", [f"use at least {MIN_PASSPHRASE} characters (a few "
                                         f"words you will remember work well); nothing was "
                                         f"written"])
    return check_new_passphrase(text)


def _header(raw: bytes, source: str) -> tuple[dict, bytes, bytes]:
    end = raw.find(b"\n", len(MAGIC))
    if not raw.startswith(MAGIC) or end < 0 or end - len(MAGIC) > 1024:
        raise BundleError(source, ["is not a sealed bundle written by worksheets"])
    top, body = raw[:end + 1], raw[end + 1:]
    try:
        header = json.loads(top[len(MAGIC):].decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        header = None
    if not isinstance(header, dict):
        raise BundleError(source, ["is not a sealed bundle written by worksheets"])
    return header, top, body


def _field(header: dict, name: str, source: str) -> bytes:
    try:
        value = base64.b64decode(header.get(name, ""), validate=True)
    except (ValueError, TypeError):
        value = b""
    if len(value) not in (12, 16):
        raise BundleError(source, ["is not a sealed bundle written by worksheets"])
    return value


def _from_key(key: Key, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(hashes.SHA256(), 32, salt, _INFO).derive(key.raw)


def _from_passphrase(text: str, salt: bytes, params: dict) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt, 32, params["n"], params["r"], params["p"]).derive(secret_bytes(text))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
