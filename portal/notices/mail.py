"""Emails: composed in the account's language, sent over SMTP or written as .eml files.

With `MAIL_SERVER` set the message goes to that server (STARTTLS with `MAIL_USE_TLS`,
a login with `MAIL_USERNAME`); without it, as in `make run`, it is written to
`MAIL_FOLDER` (instance/mail/) for a person trying the demo to open. Each message has a
Message-ID made from its outbox key, so a file or a receiving server sees a repeat as
the same message.
"""

import smtplib
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from portal.notices import render
from portal.notices.models import Notice

# The longest wait for one SMTP answer. A whole conversation is at most about a dozen of
# them (connect, EHLO, STARTTLS, EHLO, AUTH, MAIL, RCPT, DATA, the message, QUIT): 12 × 20 s
# stays inside the default NOTICE_CLAIM_SECONDS (300), so no other consumer takes a row
# while this one may still be sending it.
STEP_SECONDS = 20


def compose(
    notice: Notice, *, to: str, locale: str, key: str, extra_link: str = ""
) -> EmailMessage:
    """The notice as an email with a plain-text and an HTML part."""
    config = current_app.config
    link = config["PUBLIC_URL"].rstrip("/") + (notice.link or "/inbox")
    with force_locale(locale):
        context = {
            "title": render.title(notice),
            "text": render.text(notice),
            "link": link,
            "extra_link": extra_link,
        }
        plain = render_template("notices/email.txt", **context)
        html = render_template("notices/email.html", **context)
    message = EmailMessage()
    message["Subject"] = context["title"]
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = f"<{key}@{config['MAIL_DOMAIN']}>"
    message.set_content(plain)
    message.add_alternative(html, subtype="html")
    return message


def send(message: EmailMessage, *, key: str) -> None:
    """Hand the message to the SMTP server, or write it to the mail folder."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        folder = Path(config["MAIL_FOLDER"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{key}.eml").write_bytes(message.as_bytes())
        return
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=STEP_SECONDS)
    try:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
    finally:
        _quit(smtp)


def _quit(smtp: smtplib.SMTP) -> None:
    """End the conversation, whatever the server answers.

    Once the server answered the message's DATA with 250 the message is its: a QUIT that
    fails (smtplib's `with` raises on any answer but 221) must not count as a failed send,
    or the outbox would send the message again.
    """
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
