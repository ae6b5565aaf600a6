"""The payout cards at rest: re-seal every stored card under the current key (rotation).

Sealing itself is `portal.cards`; `apply.services.save_bank_card` seals on the way in
and `payouts.services.export_csv` opens for the bank's file. This module serves `flask keys
rotate-cards`, run after a new key is put first in CARD_KEYS (docs/security.md).
"""

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import select

from portal.cards import CardKeys, seal, unseal
from portal.db import transaction
from portal.subsidy.models import Application

BATCH = 500


def rotate(engine: Engine, *, keys: CardKeys) -> int:
    """Re-seal every card not under the current key, batch by batch; how many were."""
    done = 0
    while True:
        with transaction(engine) as session:
            rows = session.exec(
                select(Application.id, Application.bank_card_sealed)
                .where(
                    Application.bank_card_sealed.is_not(None),
                    Application.bank_card_sealed.not_like(f"{keys.current}:%"),
                )
                .order_by(Application.id)
                .limit(BATCH)
            ).all()
            for row_id, sealed in rows:
                card = unseal(keys, sealed, row_id=row_id)
                # Conditional: a card the applicant changed meanwhile is already current.
                session.execute(
                    update(Application)
                    .where(Application.id == row_id, Application.bank_card_sealed == sealed)
                    .values(bank_card_sealed=seal(keys, card, row_id=row_id))
                )
        done += len(rows)
        if len(rows) < BATCH:
            return done
