"""What the transfer feature refuses, beyond the shared NotFound and Conflict (DOMAIN §2.2)."""

from portal.errors import DomainError
from portal.messages import N_
from portal.transfer.rules import Problem


class FilingRefused(DomainError):
    """The car cannot be filed; problems lists every reason (DOMAIN §2.2)."""

    status = 422
    title = N_("The transfer cannot be filed")

    def __init__(self, problems: list[Problem]):
        super().__init__(N_("The transfer cannot be filed."))
        self.problems = problems
