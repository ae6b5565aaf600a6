"""A real SMTP server on loopback for the tests (aiosmtpd), keeping what it receives.

It can hold one conversation at a stage until the test releases it, so a test can kill
the process sending a message at a known moment: at `MAIL` (the server has nothing yet)
or at `DATA` (the server has kept the whole message and has not answered 250).
"""

import asyncio
import email
import socket
import threading
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller


class _Keep:
    def __init__(self):
        self.received: list[EmailMessage] = []
        self.hold_at: str | None = None  # the stage the next conversation waits at
        self.holding = threading.Event()
        self.released = threading.Event()
        self.quit_answer = "221 Bye"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802 (aiosmtpd's name)
        await self._wait_if_held("MAIL")
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append(email.message_from_bytes(envelope.content, policy=default))
        await self._wait_if_held("DATA")
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802
        return self.quit_answer

    async def _wait_if_held(self, stage: str) -> None:
        if self.hold_at != stage:
            return
        self.hold_at = None  # one conversation only: the next one goes through
        self.holding.set()
        while not self.released.is_set():  # without blocking the server's other connections
            await asyncio.sleep(0.05)


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

    def hold(self, stage: str) -> None:
        """Make the next conversation wait at stage ("MAIL" or "DATA") until release()."""
        self._handler.holding.clear()
        self._handler.released.clear()
        self._handler.hold_at = stage

    def is_holding(self) -> bool:
        """Whether a conversation has reached the held stage (and waits there)."""
        return self._handler.holding.is_set()

    def release(self) -> None:
        self._handler.released.set()

    def answer_quit_with(self, answer: str) -> None:
        """What the server says to QUIT (after it has taken the message)."""
        self._handler.quit_answer = answer

    def stop(self) -> None:
        self.release()
        self._controller.stop()


def text_of(message: EmailMessage) -> str:
    """The plain-text part of a message."""
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    """The HTML part of a message."""
    return message.get_body(preferencelist=("html",)).get_content()
