"""Every table of the portal, imported in one place so the metadata is complete for Alembic."""

from portal.accounts.models import User
from portal.accounts.sessions import LoginSession
from portal.accounts.tokens import ApiToken
from portal.audit import AuditEvent
from portal.imports.models import ImportJob, ImportProblem
from portal.payments.models import FeeItem, Payment, Refund, StripeEvent
from portal.registry.models import City, Dealer, Ownership, Person, Province, Vehicle
from portal.subsidy.models import (
    Application,
    ApplicationDocument,
    LedgerEntry,
    PayoutBatch,
    PayoutLine,
    Program,
    ProgramTier,
)
from portal.transfer.models import EmissionRule, TransferCase, TransferDocument
from portal.valuation.models import CarModel, ValuationRecord, ValuationSettings

__all__ = [
    "ApiToken",
    "AuditEvent",
    "City",
    "Dealer",
    "ImportJob",
    "ImportProblem",
    "LoginSession",
    "Ownership",
    "Person",
    "Province",
    "User",
    "Vehicle",
    "EmissionRule",
    "TransferCase",
    "TransferDocument",
    "FeeItem",
    "Payment",
    "Refund",
    "StripeEvent",
    "Application",
    "ApplicationDocument",
    "LedgerEntry",
    "PayoutBatch",
    "PayoutLine",
    "Program",
    "ProgramTier",
    "CarModel",
    "ValuationRecord",
    "ValuationSettings",
]
