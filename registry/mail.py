"""Outgoing mail behind a small interface; the embedded default writes messages to a file."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

from .models import utcnow


@dataclass
class Message:
    to: str
    subject: str
    body: str


class MailBackend(Protocol):
    def send(self, message: Message) -> None:
        """Deliver one message."""


class FileMailBackend:
    """Append each message as one JSON line to <instance>/outbox.jsonl (read by tests and operators)."""

    def __init__(self, path: Path):
        self.path = path

    def send(self, message: Message) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"sent_at": utcnow().isoformat(), **asdict(message)}, ensure_ascii=False) + "\n")


def send_mail(message: Message, app: Flask | None = None) -> None:
    """Send a message through the configured backend."""
    app = app or current_app
    backend = app.extensions.get("registry_mail")
    if backend is None:
        backend = FileMailBackend(Path(app.instance_path) / "outbox.jsonl")
        app.extensions["registry_mail"] = backend
    backend.send(message)
