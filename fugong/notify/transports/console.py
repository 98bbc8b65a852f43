"""The default channel in development and the demo: messages are appended to a JSON-lines
file (var/outbox.jsonl) so nothing leaves the machine until a real channel is configured."""

import json
import os
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from . import Outcome, Outgoing


class ConsoleTransport:
    max_batch = 500
    max_per_minute: int | None = None
    lines_per_call = 100  # outcomes are recorded (and the claim kept alive) between calls

    def __init__(self, options: dict[str, Any], secret: str) -> None:
        self.path = Path(options.get("path") or settings.NOTIFY_CONSOLE_PATH)
        # A pause per message makes the demo's "sending…" visible (and lets tests interrupt it).
        self.delay = float(options.get("delay_ms", 0)) / 1000

    def calls(self, batch: list[Outgoing]) -> list[list[Outgoing]]:
        return [batch[i : i + self.lines_per_call] for i in range(0, len(batch), self.lines_per_call)]

    def send(self, batch: list[Outgoing]) -> list[Outcome]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        outcomes = []
        with self.path.open("a", encoding="utf-8") as sink:
            if self._ends_mid_line():
                sink.write("\n")  # a crash cut the last line short: do not glue onto it
            for message in batch:
                if self.delay:
                    time.sleep(self.delay)
                line = {"id": message.id, "kind": message.kind, "to": message.recipient, "text": message.body}
                sink.write(json.dumps({**line, "at": timezone.now().isoformat()}, ensure_ascii=False) + "\n")
                sink.flush()  # the line is the delivery: it must be on disk before we say "sent"
                outcomes.append(Outcome(message.id, delivered=True))
            os.fsync(sink.fileno())
        return outcomes

    def _ends_mid_line(self) -> bool:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return False
        with self.path.open("rb") as sink:
            sink.seek(-1, os.SEEK_END)
            return sink.read(1) != b"\n"

    def lookup(self, batch: list[Outgoing]) -> dict[int, bool | None]:
        wanted = {m.id for m in batch}
        found: set[int] = set()
        if self.path.exists():
            with self.path.open(encoding="utf-8") as sink:
                for line in sink:
                    try:
                        message_id = json.loads(line)["id"]
                    except (ValueError, KeyError):
                        continue  # a line cut short by the crash was not delivered
                    if message_id in wanted:
                        found.add(message_id)
        return {m.id: m.id in found for m in batch}
