"""A device's side of the backup, in Python, as the browser will do it (docs/backup.md): for the server's tests."""
from __future__ import annotations

import base64
import os

from pwa.backup import wire

API = "/api/v1/backups"


class Device:
    """One device holding a recovery code: creates the backup, seals records, appends them, reads them back."""

    def __init__(self, client, code: str | None = None):
        self.client = client
        self.code = code or wire.new_code()
        self.keys = wire.derive(self.code)
        self.id = self.keys.backup_id

    @property
    def auth(self) -> dict:
        return {"Authorization": f"Bearer {self.keys.token_hex}"}

    def create(self, **kwargs):
        return self.client.post(API, json={"id": self.id, "tokenHash": self.keys.token_hash}, **kwargs)

    def record(self, text: str = "a revision", size: int = 0, head: str = wire.GENESIS) -> bytes:
        """A sealed record whose payload is `text` (and `size` more random bytes), committing to `head`."""
        salt = os.urandom(wire.SALT_BYTES)
        header = {"t": "revision", "v": 1, "salt": base64.b64encode(salt).decode(), "at": 0}
        return wire.seal_record(self.keys.record_key, self.id, header, text.encode() + os.urandom(size),
                                wire.commitment(salt, head))

    def put(self, seq: int, body: bytes, headers: dict | None = None, **kwargs):
        return self.client.put(f"{API}/{self.id}/records/{seq}", data=body,
                               headers={**self.auth, "Content-Type": "application/octet-stream", **(headers or {})},
                               **kwargs)

    def status(self) -> dict:
        response = self.client.get(f"{API}/{self.id}", headers=self.auth)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["backup"]

    def append(self, body: bytes) -> tuple[int, dict]:
        """Write at the next free number, as a device does: on a 409 (another device took it), look and retry."""
        while True:
            seq = self.status()["lastSeq"] + 1
            response = self.put(seq, body)
            if response.status_code in (200, 201):
                return seq, response.get_json()["receipt"]
            assert response.status_code == 409, response.get_json()
            assert response.get_json()["error"]["code"] in ("record_conflict", "sequence_gap")

    def read_all(self, limit: int = 100) -> list[dict]:
        records, after = [], 0
        while True:
            response = self.client.get(f"{API}/{self.id}/records?after={after}&limit={limit}", headers=self.auth)
            assert response.status_code == 200, response.get_json()
            page = response.get_json()
            records += page["records"]
            if page["next"] is None:
                return records
            after = page["next"]

    def opened(self, stored: dict) -> wire.OpenedRecord:
        return wire.open_record(self.keys.record_key, self.id, base64.b64decode(stored["body"]))
