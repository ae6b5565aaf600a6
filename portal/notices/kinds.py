"""Every kind of notice: its category (switchable by email or not), title and text.

DOMAIN §6: people are told of every change they wait for. The texts are English
templates marked for translation and filled with the notice's params where they are
read; they name an application or case by its number and a car by its VIN, never an
ID or card number (the params never carry one).
"""

from dataclasses import dataclass
from enum import StrEnum

from portal.messages import N_


class Category(StrEnum):
    SUBSIDY = "subsidy"
    TRANSFER = "transfer"
    PAYMENT = "payment"
    JOBS = "jobs"
    STAFF = "staff"
    SECURITY = "security"  # always by email: it cannot be switched off

    @property
    def switchable(self) -> bool:
        return self is not Category.SECURITY


@dataclass(frozen=True)
class Kind:
    category: Category
    title: str
    text: str
    money: tuple[str, ...] = ()  # params that are fen, shown as yuan


KINDS: dict[str, Kind] = {
    # Subsidy applications (DOMAIN §1.4)
    "application_submitted": Kind(
        Category.SUBSIDY,
        N_("Application %(number)s submitted"),
        N_(
            "Your application %(number)s was received on %(date)s. It is number %(position)s "
            "in the queue; a decision is due by %(due)s."
        ),
    ),
    "application_returned": Kind(
        Category.SUBSIDY,
        N_("Application %(number)s returned for correction"),
        N_(
            "The reviewer returned application %(number)s: %(reasons)s. Correct it and "
            "submit it again; it keeps its place in the queue."
        ),
    ),
    "application_approved": Kind(
        Category.SUBSIDY,
        N_("Application %(number)s approved"),
        N_("Application %(number)s is approved for %(amount)s. The payment is due by %(due)s."),
        money=("amount",),
    ),
    "application_rejected": Kind(
        Category.SUBSIDY,
        N_("Application %(number)s rejected"),
        N_("Application %(number)s was rejected: %(reasons)s."),
    ),
    "payout_sent": Kind(
        Category.SUBSIDY,
        N_("Payment of application %(number)s sent to the bank"),
        N_("%(amount)s for application %(number)s is on its way to your card %(card)s."),
        money=("amount",),
    ),
    "payout_paid": Kind(
        Category.SUBSIDY,
        N_("Application %(number)s paid"),
        N_("%(amount)s for application %(number)s was paid to your card %(card)s."),
        money=("amount",),
    ),
    "payout_failed": Kind(
        Category.SUBSIDY,
        N_("The bank could not pay application %(number)s"),
        N_("The bank could not pay %(amount)s to your card %(card)s: %(reason)s. %(advice)s"),
        money=("amount",),
    ),
    "payout_card_needed": Kind(
        Category.SUBSIDY,
        N_("Give another card for application %(number)s"),
        N_(
            "The bank could not pay to your card %(card)s: %(reason)s. Open the application "
            "and give another debit card in your own name; the payment is then made again."
        ),
    ),
    # Inter-provincial transfers (DOMAIN §2.2)
    "transfer_filed": Kind(
        Category.TRANSFER,
        N_("Transfer case %(number)s filed"),
        N_("The transfer of %(vin)s to %(destination)s is filed as case %(number)s."),
    ),
    "transfer_released": Kind(
        Category.TRANSFER,
        N_("Transfer case %(number)s released"),
        N_(
            "The origin released the file of %(vin)s (case %(number)s): register it at the "
            "destination within 30 days."
        ),
    ),
    "transfer_registered": Kind(
        Category.TRANSFER,
        N_("Transfer case %(number)s registered"),
        N_("%(vin)s is registered at the destination (case %(number)s)."),
    ),
    "transfer_completed": Kind(
        Category.TRANSFER,
        N_("Transfer case %(number)s completed"),
        N_("The transfer of %(vin)s is complete (case %(number)s)."),
    ),
    "transfer_refused": Kind(
        Category.TRANSFER,
        N_("Transfer case %(number)s: a step was refused"),
        N_("The step “%(step)s” of case %(number)s was refused: %(reason)s"),
    ),
    # Payments (docs/payments.md)
    "payment_received": Kind(
        Category.PAYMENT,
        N_("Payment of %(amount)s received"),
        N_("We received %(amount)s for %(purpose)s."),
        money=("amount",),
    ),
    "payment_refunded": Kind(
        Category.PAYMENT,
        N_("%(amount)s refunded"),
        N_("%(amount)s of your payment for %(purpose)s was refunded to your card."),
        money=("amount",),
    ),
    # Imports and bulk filing
    "import_finished": Kind(
        Category.JOBS,
        N_("Your import %(name)s has finished"),
        N_("%(name)s: %(created)s added, %(updated)s updated, %(failed)s refused."),
    ),
    # Staff
    "queue_overdue": Kind(
        Category.STAFF,
        N_("%(count)s applications in your queue are past their deadline"),
        N_(
            "%(count)s applications of %(province)s have waited longer than the "
            "15-working-day review target."
        ),
    ),
    # Security: always sent by email
    "password_reset": Kind(
        Category.SECURITY,
        N_("Reset your password"),
        N_(
            "Someone asked to reset the password of this account. If it was you, open the "
            "link in the email within 30 minutes; otherwise ignore it."
        ),
    ),
    "password_changed": Kind(
        Category.SECURITY,
        N_("Your password was changed"),
        N_(
            "The password of your account was changed and every other device signed out. "
            "If this was not you, reset your password now."
        ),
    ),
    "signup_attempt": Kind(
        Category.SECURITY,
        N_("Someone tried to sign up with your email address"),
        N_(
            "An account was requested for this email address, which already has one. If "
            "this was you, sign in instead or reset your password."
        ),
    ),
}

CATEGORY_LABELS = {
    Category.SUBSIDY: N_("Subsidy applications"),
    Category.TRANSFER: N_("Transfer cases"),
    Category.PAYMENT: N_("Payments and refunds"),
    Category.JOBS: N_("Imports and bulk filing"),
    Category.STAFF: N_("My work queue"),
    Category.SECURITY: N_("Security of my account"),
}
