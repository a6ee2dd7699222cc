"""The SMTP sender of queued notification e-mails (domain/outbox/notifications.py, "E-mail
statuses"), the standard-library implementation of domain/outbox/dispatch.py's Mailer port;
ops/dispatch.py builds it when SMTP_HOST is set."""
from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid


@dataclass(frozen=True)
class SmtpMailer:
    """Sends one plain-text message per connection with the standard library (blocking: call
    it through asyncio.to_thread). No authentication or TLS: point SMTP_HOST at a local relay
    (or a provider's relay reachable on a trusted network)."""
    host: str
    port: int = 25
    sender: str = "Marketplace <no-reply@marketplace.invalid>"
    timeout: float = 10.0

    def send(self, recipient: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = recipient
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain="marketplace.invalid")
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(message)
