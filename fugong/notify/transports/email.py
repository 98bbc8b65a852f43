"""E-mail through Django's configured mail backend (EMAIL_* settings)."""

import smtplib
from typing import Any

from django.core.mail import EmailMessage

from . import Outcome, Outgoing


class EmailTransport:
    max_batch = 50
    max_per_minute: int | None = None

    def __init__(self, options: dict[str, Any], secret: str) -> None:
        self.sender = options.get("from_email") or None
        self.subject_prefix = options.get("subject_prefix", "【复工】")

    def calls(self, batch: list[Outgoing]) -> list[list[Outgoing]]:
        return [[message] for message in batch]

    def send(self, batch: list[Outgoing]) -> list[Outcome]:
        outcomes = []
        for message in batch:
            subject = self.subject_prefix + message.body.splitlines()[0][:60] if message.body else self.subject_prefix
            try:
                EmailMessage(subject, message.body, self.sender, [message.recipient]).send()
            except smtplib.SMTPRecipientsRefused as refused:
                outcomes.append(Outcome(message.id, False, error=str(refused)[:300], permanent=True))
            except (smtplib.SMTPException, OSError) as error:
                outcomes.append(Outcome(message.id, False, error=str(error)[:300]))
            else:
                outcomes.append(Outcome(message.id, True))
        return outcomes

    def lookup(self, batch: list[Outgoing]) -> dict[int, bool | None]:
        return {m.id: None for m in batch}  # SMTP cannot tell afterwards
