"""data protection: sealed bank cards, import heartbeats, append-only audit log

Revision ID: 0009_data_protection
Revises: 0007

- subsidy_application.bank_card (clear digits) becomes bank_card_sealed (AES-GCM under a
  key of CARD_KEYS, portal/cards.py) and bank_card_masked (6217 **** **** 1234). Existing
  cards are sealed here, by this migration, with the key CARD_KEYS names first in the
  environment the migration runs in (the development key when unset outside production).
- import_job gets heartbeat_at and attempt (stalled imports, resume).
- audit_event refuses UPDATE and DELETE by trigger, on PostgreSQL and SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from portal.cards import CardKeys, seal, unseal
from portal.config import from_environment
from portal.identifiers import mask_bank_card

revision: str = "0009_data_protection"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = "audit_event is append-only: events are never changed or deleted"


def _keys() -> CardKeys:
    return CardKeys.parse(from_environment()["CARD_KEYS"])


def upgrade() -> None:
    # Plain ADD/DROP COLUMN (SQLite 3.35+): a batch copy would lose the CHECK constraints.
    op.add_column("import_job", sa.Column("heartbeat_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.add_column(
        "import_job", sa.Column("attempt", sa.Integer(), nullable=False, server_default="0")
    )

    op.add_column(
        "subsidy_application", sa.Column("bank_card_sealed", sa.String(length=128), nullable=True)
    )
    op.add_column(
        "subsidy_application", sa.Column("bank_card_masked", sa.String(length=24), nullable=True)
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, bank_card FROM subsidy_application WHERE bank_card IS NOT NULL")
    ).all()
    if rows:
        keys = _keys()
        connection.execute(
            sa.text(
                "UPDATE subsidy_application SET bank_card_sealed = :sealed, "
                "bank_card_masked = :masked, bank_card = NULL WHERE id = :id"
            ),
            [
                {
                    "id": row_id,
                    "sealed": seal(keys, card, row_id=row_id),
                    "masked": mask_bank_card(card),
                }
                for row_id, card in rows
            ],
        )
    op.drop_column("subsidy_application", "bank_card")

    if connection.dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'restrict_violation';
            END
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER audit_event_no_update")
        op.execute("DROP TRIGGER audit_event_no_delete")

    op.add_column(
        "subsidy_application", sa.Column("bank_card", sa.String(length=19), nullable=True)
    )
    rows = connection.execute(
        sa.text(
            "SELECT id, bank_card_sealed FROM subsidy_application "
            "WHERE bank_card_sealed IS NOT NULL"
        )
    ).all()
    if rows:
        keys = _keys()
        connection.execute(
            sa.text("UPDATE subsidy_application SET bank_card = :card WHERE id = :id"),
            [
                {"id": row_id, "card": unseal(keys, sealed, row_id=row_id)}
                for row_id, sealed in rows
            ],
        )
    op.drop_column("subsidy_application", "bank_card_masked")
    op.drop_column("subsidy_application", "bank_card_sealed")

    op.drop_column("import_job", "attempt")
    op.drop_column("import_job", "heartbeat_at")
