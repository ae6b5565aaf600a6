"""A real SMTP server on loopback for the tests (aiosmtpd), keeping what it receives."""

import email
import socket
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller


class _Keep:
    def __init__(self):
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.received.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailServer:
    """Started on a free loopback port; `messages` are what it accepted, in order."""

    def __init__(self):
        self._handler = _Keep()
        self.port = _free_port()
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    @property
    def messages(self) -> list[EmailMessage]:
        return self._handler.received

    def to(self, address: str) -> list[EmailMessage]:
        """The messages sent to an address."""
        return [message for message in self.messages if message["To"] == address]

    def stop(self) -> None:
        self._controller.stop()


def text_of(message: EmailMessage) -> str:
    """The plain-text part of a message."""
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    """The HTML part of a message."""
    return message.get_body(preferencelist=("html",)).get_content()
