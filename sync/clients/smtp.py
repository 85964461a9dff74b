"""Email shares over SMTP, for kiosks whose messaging API (seed 003) is not configured.

Plain-text mail with the photo's link (never the photo itself: the link expires, an
attachment would not). ``Message-ID`` is made from the outbox row id and kept as the
``message_sid`` of ``image.shared``.

SMTP has no idempotency key: if the daemon dies between the server's "250 OK" and the
outbox commit, the customer gets the mail twice on the retry. That is the accepted cost;
the alternative (marking sent before sending) would lose mails.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from kiosk.store.outcomes import Delivered, Outcome, Rejected, Retry


class SmtpSender:
    def __init__(self, host: str, port: int, security: str, user: str, password: Callable[[], str | None],
                 sender: str, timeout_s: float = 20.0):
        self.host, self.port, self.security = host, port, security
        self.user, self._password, self.sender, self.timeout_s = user, password, sender, timeout_s

    def send(self, *, destination: str, name: str, subject: str, content: str,
             idempotency_key: str) -> Outcome:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = formataddr((name, destination)) if name else destination
        msg["Subject"] = subject
        domain = self.sender.rpartition("@")[2] or None
        msg["Message-ID"] = make_msgid(idstring=idempotency_key[:40], domain=domain)
        msg.set_content(content)
        try:
            self._deliver(msg)
        except smtplib.SMTPRecipientsRefused as e:
            code, why = next(iter(e.recipients.values()), (0, b""))
            return Rejected(f"the mail server refused {destination}: {code} {_text(why)}")
        except smtplib.SMTPAuthenticationError:
            return Rejected("the mail server refused the kiosk's login (share.smtp_user / smtp_password)")
        except smtplib.SMTPSenderRefused as e:
            said = f"{e.smtp_code} {_text(e.smtp_error)}"
            return Rejected(f"the mail server refused the sender {self.sender}: {said}")
        except smtplib.SMTPResponseException as e:
            said = f"{e.smtp_code} {_text(e.smtp_error)}"
            if 400 <= e.smtp_code < 500:          # 4xx: try again later, as SMTP intends
                return Retry(f"the mail server asked to try later ({said})")
            return Rejected(f"the mail server refused the email ({said})")
        except (smtplib.SMTPException, OSError) as e:
            return Retry(f"cannot reach the mail server {self.host}:{self.port} ({e or type(e).__name__})")
        return Delivered(str(msg["Message-ID"]))

    def _deliver(self, msg: EmailMessage) -> None:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.security == "ssl":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout_s, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
        with smtp:
            if self.security == "starttls":
                smtp.starttls(context=context)
            if self.user:
                smtp.login(self.user, self._password() or "")
            smtp.send_message(msg)


def _text(raw: bytes | str) -> str:
    return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
