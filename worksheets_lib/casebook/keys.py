"""Keys for encrypted casebooks: where they come from, and that they never go anywhere else.

An encrypted casebook is an SQLCipher file (AES-256 on every page, with a
check on each page that tells a wrong key from a damaged file). Its key is 32
bytes, either

* made at random and kept in the operating system's keyring (the ``keyring``
  package: Secret Service on Linux, Keychain on macOS, Credential Locker on
  Windows), or
* made from a passphrase the way SQLCipher itself does it (PBKDF2-HMAC-SHA512,
  256,000 rounds, with the 16 random bytes at the start of the file as salt),
  so other SQLCipher tools open the file with the same passphrase.

A key is looked for, in this order: keys this program already used, the
``WORKSHEETS_CASEBOOK_KEY`` environment variable (a recovery code; the journal
app hands the key to its kernels this way), the keyring, the
``WORKSHEETS_CASEBOOK_PASSPHRASE`` environment variable, and last a prompt
(the command line sets one with :func:`set_prompt`; notebooks have none).
A key is never taken from the command line, and never written to a log, a
message or a file of ours.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from ..errors import CasebookError, WorksheetError

ENV_KEY = "WORKSHEETS_CASEBOOK_KEY"
ENV_PASSPHRASE = "WORKSHEETS_CASEBOOK_PASSPHRASE"
#: The passphrase of a sealed bundle or a backup made with --passphrase, for scripts.
ENV_EXPORT_PASSPHRASE = "WORKSHEETS_EXPORT_PASSPHRASE"
#: "encrypted" makes every casebook this program creates an encrypted one.
ENV_NEW = "WORKSHEETS_NEW_CASEBOOKS"
KEYRING_SERVICE = "worksheets"
KEYRING_ACCOUNT = "casebook-key"
KDF_ROUNDS = 256_000
SALT_SIZE = 16
#: SQLCipher's page size; its file header is encrypted, so this is not read from the file.
PAGE_SIZE = 4096
RECOVERY_PREFIX = "wsk-"
MIN_PASSPHRASE = 10
MAX_PASSPHRASE = 1000


class Key:
    """A casebook key: 32 bytes and where they came from. Its bytes never show in a repr."""

    __slots__ = ("raw", "source", "salt")

    def __init__(self, raw: bytes, source: str, salt: bytes | None = None):
        if len(raw) != 32:
            raise ValueError("a casebook key is 32 bytes")
        self.raw = raw
        #: "keyring", "passphrase", "recovery code" or "environment": for messages.
        self.source = source
        #: The salt new files made with this key get: the salt of the casebook it opened. A
        #: passphrase makes a key with the salt of the file, so a backup with another salt
        #: would open with the recovery code only.
        self.salt = salt

    def with_salt(self, salt: bytes | None) -> Key:
        return Key(self.raw, self.source, salt if salt and len(salt) == SALT_SIZE else None)

    def pragma(self, new: bool = False) -> str:
        """SQLCipher's ``PRAGMA key`` (a raw key: no derivation on open).

        *new*: for a file being made, which then gets this key's salt.
        """
        return f"PRAGMA key = {self._literal(new)}"

    def attach_clause(self) -> str:
        """The ``KEY`` clause of an ``ATTACH`` that makes a new file with this key."""
        return f"KEY {self._literal(True)}"

    def _literal(self, new: bool) -> str:
        tail = self.salt.hex() if new and self.salt else ""
        return f"\"x'{self.raw.hex()}{tail}'\""

    def recovery_code(self) -> str:
        """The key written out to be kept on paper: ``wsk-`` and 13 groups of 4."""
        text = base64.b32encode(self.raw).decode("ascii").rstrip("=").lower()
        return RECOVERY_PREFIX + "-".join(text[i:i + 4] for i in range(0, len(text), 4))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Key) and secrets.compare_digest(self.raw, other.raw)

    def __hash__(self) -> int:
        return hash(self.raw)

    def __repr__(self) -> str:
        return f"<casebook key from {self.source}>"


# --- turning what a person types into a key ----------------------------------------------------

def from_recovery_code(text: str) -> Key | None:
    """The key a recovery code stands for, or None when *text* is not one."""
    cleaned = "".join(text.split()).lower()
    if not cleaned.startswith(RECOVERY_PREFIX):
        return None
    body = cleaned[len(RECOVERY_PREFIX):].replace("-", "").upper()
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except ValueError:
        return None
    return Key(raw, "recovery code") if len(raw) == 32 else None


def from_passphrase(passphrase: str, salt: bytes) -> Key:
    """SQLCipher's own key derivation, done once here and kept (a raw key opens fast)."""
    raw = hashlib.pbkdf2_hmac("sha512", secret_bytes(passphrase), salt, KDF_ROUNDS, 32)
    return Key(raw, "passphrase", salt)


def secret_bytes(text: str) -> bytes:
    """A passphrase's bytes; one from the environment may hold bytes that are not UTF-8."""
    return text.encode("utf-8", "surrogateescape")


def from_secret(text: str, salt: bytes) -> Key:
    """A recovery code, else a passphrase."""
    return from_recovery_code(text) or from_passphrase(text, salt)


# --- where keys come from ------------------------------------------------------------------------

#: prompt(question, new) -> the text typed, or None (no one to ask). Set by the command line.
_prompt: Callable[[str, bool], str | None] | None = None
#: Keys that opened a casebook in this process, by the file's salt.
_opened: dict[bytes, Key] = {}


def set_prompt(prompt: Callable[[str, bool], str | None] | None) -> None:
    """Let key lookups ask a person (the command line does; notebooks do not)."""
    global _prompt
    _prompt = prompt


def forget() -> None:
    """Forget the keys this process has used (tests; a long-running app after a lock)."""
    _opened.clear()


def first_page(path: Path) -> bytes:
    """The first page of the file at *path* as it is on disk (empty when unreadable)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return b""
    try:
        return os.read(fd, PAGE_SIZE)
    finally:
        os.close(fd)


def salt_of(path: Path) -> bytes | None:
    return first_page(path)[:SALT_SIZE] or None


def from_environment() -> Key | None:
    text = os.environ.get(ENV_KEY, "").strip()
    if not text:
        return None
    key = from_recovery_code(text)
    if key is None and len(text) == 64:
        try:
            key = Key(bytes.fromhex(text), "environment")
        except ValueError:
            key = None
    if key is None:
        raise CasebookError(ENV_KEY, "is set but is not a casebook key (a recovery code "
                                     "starting wsk-); unset it or correct it", "locked")
    return key


def _keyring():
    """The keyring module when this computer has a usable keyring, else None."""
    try:
        import keyring
        from keyring.backends import fail
    except Exception:  # noqa: BLE001 - a broken keyring install means "no keyring"
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001
        return None
    if isinstance(backend, fail.Keyring) or type(backend).__module__.endswith(".null"):
        return None
    return keyring


def keyring_available() -> bool:
    return _keyring() is not None


def from_keyring() -> Key | None:
    ring = _keyring()
    if ring is None:
        return None
    try:
        text = ring.get_password(KEYRING_SERVICE, KEYRING_ACCOUNT)
    except Exception:  # noqa: BLE001 - a locked or unreachable keyring: as if it had none
        return None
    if not text:
        return None
    key = from_recovery_code(text)
    return Key(key.raw, "keyring") if key else None


def store_in_keyring(key: Key) -> bool:
    """Keep *key* in the keyring (the practice key of this user); False if it could not."""
    ring = _keyring()
    if ring is None:
        return False
    try:
        ring.set_password(KEYRING_SERVICE, KEYRING_ACCOUNT, key.recovery_code())
    except Exception:  # noqa: BLE001
        return False
    return True


def locked(path: Path, tried_passphrase: bool = False) -> CasebookError:
    if tried_passphrase:
        return CasebookError(str(path), "that passphrase or recovery code does not open this "
                                        "casebook (or the file is not a casebook); nothing was "
                                        "changed", "wrong-key")
    return CasebookError(
        str(path), "is encrypted (or is not a casebook at all), and no key for it was found: "
                   "none in this computer's keyring, and no passphrase given. Run the command "
                   "in a terminal to be asked for the passphrase, or set "
                   f"{ENV_PASSPHRASE}", "locked")


def unlock(path: Path, opens: Callable[[Key], bool], ask: bool = True) -> Key:
    """The key that opens the encrypted casebook (or backup) at *path*.

    *opens(key)* tries a key read-only. Raises ``locked`` when no key was found
    and ``wrong-key`` when a passphrase was typed but did not open it.
    """
    page = first_page(path)
    salt = page[:SALT_SIZE]

    def works(key: Key | None) -> Key | None:
        # Page 1 as it is on disk decrypts to an SQLite header with the right key (whatever
        # a crash left in the -wal); SQLite itself is asked only when that cannot tell.
        if key is None or not (readable_header(page, key) or opens(key)):
            return None
        key = key.with_salt(salt)
        _opened[salt] = key
        return key

    known = _opened.get(salt)
    for candidate in ([known] if known else []) + [k for k in _opened.values() if k != known]:
        if found := works(candidate):
            return found
    tried = False
    for source in (from_environment, from_keyring):
        candidate = source()
        tried = tried or (candidate is not None and source is from_environment)
        if found := works(candidate):
            return found
    for variable in (ENV_PASSPHRASE, ENV_EXPORT_PASSPHRASE):  # a backup may have the latter
        passphrase = os.environ.get(variable)
        if passphrase:
            tried = True
            if found := works(from_secret(passphrase, salt)):
                return found
    if ask and _prompt is not None:
        for attempt in range(3):
            question = (f"Passphrase or recovery code for {path.name}: " if attempt == 0 else
                        "That does not open it. Try again: ")
            text = _prompt(question, False)
            if text is not None and not text:
                raise CasebookError(str(path), "is encrypted, and no passphrase was typed; "
                                               "nothing was changed", "locked")
            if not text:
                break
            tried = True
            if found := works(from_secret(text, salt)):
                return found
    raise locked(path, tried)


def known_keys() -> list[Key]:
    """Keys this process has used, and the environment's and keyring's (no prompt)."""
    found = list(dict.fromkeys(_opened.values()))
    for source in (from_environment, from_keyring):
        key = source()
        if key is not None and key not in found:
            found.append(key)
    return found


def readable_header(page: bytes, key: Key | None = None) -> bytes | None:
    """The 100-byte SQLite header of an encrypted file's first page, read with *key*.

    Without *key*, the keys this process knows are tried (never a prompt). An
    encrypted file's header is encrypted with the rest of page 1; it tells a
    backup (rollback journal) from a live casebook (WAL) as the plain header
    does. SQLCipher 4's page: salt (16 bytes), AES-256-CBC data, then 80
    reserved bytes starting with the IV. Returns None when no key reads it.
    """
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    if len(page) < PAGE_SIZE:
        return None
    reserve = PAGE_SIZE - 80
    for candidate in [key] if key else known_keys():
        decryptor = Cipher(algorithms.AES(candidate.raw),
                           modes.CBC(page[reserve:reserve + 16])).decryptor()
        plain = decryptor.update(page[SALT_SIZE:reserve]) + decryptor.finalize()
        header = b"SQLite format 3\x00" + plain[:100 - SALT_SIZE]
        if header[16:18] == PAGE_SIZE.to_bytes(2, "big") and header[21:24] == b"\x40\x20\x20":
            return header  # the fixed bytes of every SQLite header: the key is right
    return None


def remember(path: Path, key: Key) -> None:
    """Note that *key* opens the casebook at *path* (a new or newly encrypted one)."""
    salt = salt_of(path)
    if salt:
        _opened[salt] = key.with_salt(salt)


def new_key(path: Path, passphrase: bool = False) -> tuple[Key, bool]:
    """A key for a casebook being encrypted or created encrypted at *path*.

    Returns the key and whether it was just made and put in the keyring (the
    caller then shows its recovery code once). A passphrase is used when asked
    for, when one is in the environment, or when this computer has no keyring.
    """
    key = from_environment()
    if key is not None:
        return key, False
    text = os.environ.get(ENV_PASSPHRASE)
    if not text and (passphrase or not keyring_available()):
        text = _ask_new_passphrase(path)
    if text:
        code = from_recovery_code(text)
        if code is not None:
            return code, False
        check_new_passphrase(text)
        return from_passphrase(text, secrets.token_bytes(SALT_SIZE)), False
    return _keyring_key(path)


def _keyring_key(path: Path) -> tuple[Key, bool]:
    """The keyring's practice key, made and stored when there is none yet.

    A keyring that cannot be read is an error, never taken for an empty one:
    a new key stored over the old one would lock every casebook it opens. Two
    programs making the first key at once take turns (a lock file), so both
    use the one key that was stored.
    """
    import fcntl

    ring = _keyring()

    def refuse(why: str) -> CasebookError:
        return CasebookError(str(path), f"{why}; nothing was changed. Unlock the keyring and "
                                        f"try again, or use a passphrase (--passphrase)",
                             "locked")

    lock = _lock_file()
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            text = ring.get_password(KEYRING_SERVICE, KEYRING_ACCOUNT)
        except Exception:  # noqa: BLE001 - locked, unreachable: not "no key"
            raise refuse("this computer's keyring could not be read just now") from None
        if text:
            found = from_recovery_code(text)
            if found is None:
                raise refuse("this computer's keyring holds a worksheets key that is not "
                             "valid")
            return Key(found.raw, "keyring"), False
        key = Key(secrets.token_bytes(32), "keyring")
        try:
            ring.set_password(KEYRING_SERVICE, KEYRING_ACCOUNT, key.recovery_code())
            stored = ring.get_password(KEYRING_SERVICE, KEYRING_ACCOUNT)
        except Exception:  # noqa: BLE001
            stored = None
        if stored != key.recovery_code():
            raise refuse("a new key could not be kept in this computer's keyring")
        return key, True
    finally:
        os.close(lock)


def _lock_file() -> int:
    from platformdirs import user_data_path

    from ..files import make_folder

    folder = user_data_path("worksheets", appauthor=False)
    make_folder(folder)
    return os.open(folder / ".keyring.lock", os.O_RDWR | os.O_CREAT, 0o600)


def check_new_passphrase(text: str) -> str:
    """Refuse a new passphrase too short to protect, or too long to type back the same."""
    if len(text) < MIN_PASSPHRASE:
        raise WorksheetError(f"passphrase: is too short; use at least {MIN_PASSPHRASE} "
                             f"characters (a few words you will remember work well); nothing "
                             f"was changed")
    if len(text) > MAX_PASSPHRASE:
        raise WorksheetError(f"passphrase: is too long; use at most {MAX_PASSPHRASE} characters "
                             f"(a terminal cuts longer ones short); nothing was changed")
    return text


def _ask_new_passphrase(path: Path) -> str:
    if _prompt is None:
        raise CasebookError(str(path), "needs a passphrase to be encrypted, and there is no "
                                       "keyring on this computer and no one to ask; run the "
                                       f"command in a terminal, or set {ENV_PASSPHRASE}",
                            "locked")
    first = _prompt("New passphrase for the casebook (at least "
                    f"{MIN_PASSPHRASE} characters): ", True)
    if first is None:  # no terminal to ask at
        raise CasebookError(str(path), "needs a passphrase to be encrypted, and there is no "
                                       "keyring on this computer and no one to ask; run the "
                                       f"command in a terminal, or set {ENV_PASSPHRASE}",
                            "locked")
    if not first:
        raise WorksheetError("passphrase: none was given; nothing was changed")
    if len(first) >= MIN_PASSPHRASE and from_recovery_code(first) is None:
        second = _prompt("The same passphrase again: ", True)
        if second != first:
            raise WorksheetError("passphrase: the two did not match; nothing was changed")
    return first


def wanted_for_new() -> bool:
    """Whether casebooks this program creates are encrypted (``WORKSHEETS_NEW_CASEBOOKS``)."""
    return os.environ.get(ENV_NEW, "").strip().lower() == "encrypted"
