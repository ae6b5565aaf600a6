"""The payments feature's domain errors, shown as 4xx/5xx pages by portal.errors."""

from portal.errors import Conflict, DomainError
from portal.messages import N_


class NotConfigured(DomainError):
    """No Stripe keys in the settings (the embedded default): payments are switched off."""

    status = 503
    title = N_("Payments are not configured")


class ProviderError(DomainError):
    """Stripe refused or did not answer; nothing was recorded."""

    status = 502
    title = N_("The payment provider did not answer")


class BadWebhook(DomainError):
    """A webhook call whose signature or body does not verify."""

    status = 400
    title = N_("Bad request")


class RefundRefused(Conflict):
    """A refund the rules do not allow (too much, or nothing paid)."""


class NothingToPay(DomainError):
    """A charge of zero: the feature should not ask for a payment."""

    status = 400
