"""E-mail over SMTP.

Configuration (from the YAML's ``notifications.channels.<name>``; the environment
overrides credentials the usual way)::

    email:
      type: smtp
      host: smtp.example.edu.cn
      port: 465            # 465 with ssl: true; 587 with starttls: true; 25 plain
      ssl: true            # implicit TLS (SMTP_SSL)
      starttls: false      # upgrade a plain connection with STARTTLS (refused if the server cannot)
      username: noreply@example.edu.cn
      password: "…"
      sender: "创先平台 <noreply@example.edu.cn>"
      reply_to: null
      timeout: 10
      ca_file: null        # a private CA for the campus relay
      verify_tls: true
      rate_limit: {per_minute: 60, burst: 10}

The message is a MIME ``text/plain; charset=utf-8`` mail; non-ASCII headers (subject,
display names) are RFC 2047 encoded. The ``Message-ID`` is derived from the delivery
id, so a re-sent delivery carries the same id and mail clients can fold duplicates.

Result classes: 4xx replies, connection problems, timeouts, TLS and authentication
failures (a configuration the admin can fix) are retryable; a 5xx refusal of the
recipient, sender or data is not.
"""
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, parseaddr

from .base import Channel, DeliveryResult


class SmtpChannel(Channel):
    type_name = "smtp"
    audience = "person"
    address_field = "email"

    def __init__(self, config=None, name="email"):
        super().__init__(config, name)
        c = self.config
        if not c.get("host"):
            raise ValueError(f"channel {self.name}: smtp needs a host")
        self.host = c["host"]
        self.ssl = bool(c.get("ssl", False))
        self.starttls = bool(c.get("starttls", False))
        if self.ssl and self.starttls:
            raise ValueError(f"channel {self.name}: choose ssl or starttls, not both")
        self.port = int(c.get("port") or (465 if self.ssl else 25))
        self.username = c.get("username")
        self.password = c.get("password")
        for label, value in (("username", self.username), ("password", self.password)):
            if value is not None and not str(value).isascii():
                raise ValueError(f"channel {self.name}: the SMTP {label} must be ASCII (smtplib's AUTH)")
        self.sender = c.get("sender") or c.get("from") or self.username
        if not self.sender or "@" not in parseaddr(self.sender)[1]:
            raise ValueError(f"channel {self.name}: smtp needs a sender address")
        self.reply_to = c.get("reply_to")
        self.timeout = float(c.get("timeout", 10))
        self.local_hostname = c.get("local_hostname")

    def tls_context(self):
        context = ssl.create_default_context(cafile=self.config.get("ca_file"))
        if self.config.get("verify_tls", True) is False:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def build(self, message):
        """The MIME message for one delivery."""
        to = message["to"]
        recipients = [to] if isinstance(to, str) else list(to)
        mail = EmailMessage()
        mail["Subject"] = message["subject"]
        mail["From"] = self.sender
        mail["To"] = ", ".join(recipients)
        if self.reply_to:
            mail["Reply-To"] = self.reply_to
        mail["Date"] = formatdate(localtime=False, usegmt=True)
        domain = parseaddr(self.sender)[1].rpartition("@")[2] or "chuangxian.local"
        if message.get("delivery_id"):
            mail["Message-ID"] = f"<{message['delivery_id']}@{domain}>"
            mail["X-Chuangxian-Delivery"] = message["delivery_id"]
        if message.get("event_type"):
            mail["X-Chuangxian-Event"] = message["event_type"]
        mail["Content-Language"] = "zh-CN" if message.get("lang", "zh") == "zh" else "en"
        mail.set_content(message["body"], charset="utf-8")
        return mail, [addr for _, addr in getaddresses(recipients)]

    def connect(self):
        if self.ssl:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    local_hostname=self.local_hostname, context=self.tls_context())
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout, local_hostname=self.local_hostname)
        if self.starttls:
            client.ehlo()
            client.starttls(context=self.tls_context())
            client.ehlo()
        return client

    def send(self, message):
        try:
            mail, recipients = self.build(message)
        except (KeyError, ValueError, TypeError) as error:
            return DeliveryResult.permanent(f"smtp: cannot build the message: {error}")
        client = None
        try:
            client = self.connect()
            if self.username:
                client.login(self.username, self.password or "")
            refused = client.send_message(mail, from_addr=parseaddr(self.sender)[1], to_addrs=recipients)
            if refused:
                return _refused_result(refused)
            return DeliveryResult.success(f"smtp: accepted for {', '.join(recipients)}", 250)
        except smtplib.SMTPRecipientsRefused as error:
            return _refused_result(error.recipients)
        except smtplib.SMTPAuthenticationError as error:
            return DeliveryResult.retry(f"smtp: authentication failed ({error.smtp_code}); check the "
                                        f"channel credentials", error.smtp_code)
        except smtplib.SMTPNotSupportedError as error:
            return DeliveryResult.retry(f"smtp: server does not support a configured feature: {error}")
        except smtplib.SMTPResponseException as error:   # sender refused, data refused, …
            code = error.smtp_code
            text = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) \
                else str(error.smtp_error)
            detail = f"smtp: {code} {text}"
            return DeliveryResult(False, not 500 <= code < 600, detail, code)
        except (smtplib.SMTPException, socket.timeout, ssl.SSLError, OSError) as error:
            return DeliveryResult.retry(f"smtp: {type(error).__name__}: {error}")
        finally:
            if client is not None:
                try:
                    client.quit()
                except (smtplib.SMTPException, OSError):
                    client.close()


def _refused_result(refused):
    """Every recipient refused: retryable only if every refusal was a 4xx."""
    codes = {addr: code for addr, (code, _) in refused.items()}
    retryable = all(400 <= code < 500 for code in codes.values())
    detail = "smtp: refused " + ", ".join(f"{addr} ({code})" for addr, code in codes.items())
    return DeliveryResult(False, retryable, detail, max(codes.values()) if codes else None)
