"""A notice's title and text in the reader's language (the page's, or the account's)."""

from datetime import date

from flask_babel import gettext

from portal.formatting import date_text, message, region_name
from portal.labels import label
from portal.money import yuan
from portal.notices.kinds import KINDS
from portal.notices.models import Notice
from portal.subsidy.terms import RejectReason
from portal.transfer.workflow import Action as TransferAction

# Stored codes a notice may name, by the name its params give them.
LABELLED = {"transfer_action": TransferAction, "reject_reason": RejectReason}


def title(notice: Notice) -> str:
    """The notice's title in the current language."""
    return gettext(KINDS[notice.kind].title, **_filled(notice))


def text(notice: Notice) -> str:
    """The notice's text in the current language."""
    return gettext(KINDS[notice.kind].text, **_filled(notice))


def _filled(notice: Notice) -> dict:
    money = KINDS[notice.kind].money
    return {name: _shown(value, name in money) for name, value in notice.params.items()}


def _shown(value, is_money: bool) -> str:
    """A param as read: fen as yuan, a stored message translated, a place or a stored code
    named in the reader's language, a list joined."""
    if is_money:
        return yuan(value)
    if isinstance(value, dict) and "date" in value:
        return date_text(date.fromisoformat(value["date"]))  # as the pages write dates
    if isinstance(value, dict) and "region" in value:
        return region_name(value["region"])
    if isinstance(value, dict) and "label" in value:
        return str(label(LABELLED[value["label"]](value["value"])))
    if isinstance(value, dict):
        return message(value)
    if isinstance(value, list):
        return "; ".join(_shown(item, False) for item in value)
    return str(value)
