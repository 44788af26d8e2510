"""A keyring kept in a JSON file, for tests that run the command line in other processes.

Chosen with ``PYTHON_KEYRING_BACKEND=file_keyring.FileKeyring`` (this folder on
PYTHONPATH); ``TEST_KEYRING_FILE`` names the file, ``TEST_KEYRING_SLOW`` slows
each store down (to make two programs meet), ``TEST_KEYRING_BROKEN`` makes
every read fail, as a locked keyring does.
"""

import json
import os
import time

from keyring.backend import KeyringBackend


class FileKeyring(KeyringBackend):
    priority = 1  # chosen by name; only the processes started by these tests import it

    def _load(self) -> dict:
        try:
            with open(os.environ["TEST_KEYRING_FILE"], encoding="utf-8") as handle:
                return json.load(handle)
        except (OSError, ValueError):
            return {}

    def get_password(self, service, username):
        if os.environ.get("TEST_KEYRING_BROKEN"):
            raise RuntimeError("the keyring is locked")
        return self._load().get(f"{service}/{username}")

    def set_password(self, service, username, password):
        saved = self._load()
        time.sleep(float(os.environ.get("TEST_KEYRING_SLOW", "0")))
        saved[f"{service}/{username}"] = password
        with open(os.environ["TEST_KEYRING_FILE"], "w", encoding="utf-8") as handle:
            json.dump(saved, handle)

    def delete_password(self, service, username):
        saved = self._load()
        saved.pop(f"{service}/{username}", None)
        with open(os.environ["TEST_KEYRING_FILE"], "w", encoding="utf-8") as handle:
            json.dump(saved, handle)
