"""Plate choice: new plate numbers reserved for transfer cases (DOMAIN §2.3, issue 14).

One live reservation per number and per case (partial unique indexes). The new plates
that cases already carry (drawn at registration before this revision) become live
reservations, so no number a case holds can be offered to another.

Revision ID: 0015_plate_choice
Revises: 0014_plate_history
Create Date: 2026-12-06 12:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = "0015_plate_choice"
down_revision: str | None = "0014_plate_history"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("released_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "plate_reservation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plate", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reserved_by", sa.Integer(), nullable=True),
        sa.Column("reserved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("released_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["transfer_case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reserved_by"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plate_reservation", schema=None) as batch_op:
        batch_op.create_index(
            "uq_plate_reservation_live_case",
            ["case_id"],
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        )
        batch_op.create_index(
            "uq_plate_reservation_live_plate",
            ["plate"],
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        )
    # The first case of each plate keeps it; a closed case without registration held none.
    op.execute(
        "INSERT INTO plate_reservation (plate, case_id, reserved_at) "
        "SELECT new_plate, id, updated_at FROM transfer_case WHERE id IN ("
        " SELECT MIN(id) FROM transfer_case"
        " WHERE new_plate IS NOT NULL AND status NOT IN ('rejected', 'withdrawn')"
        " GROUP BY new_plate)"
    )


def downgrade() -> None:
    with op.batch_alter_table("plate_reservation", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_plate_reservation_live_plate", sqlite_where=LIVE, postgresql_where=LIVE
        )
        batch_op.drop_index(
            "uq_plate_reservation_live_case", sqlite_where=LIVE, postgresql_where=LIVE
        )
    op.drop_table("plate_reservation")
