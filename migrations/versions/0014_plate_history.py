"""Plate history: every plate a vehicle has had, with the dates (DOMAIN §2.3, issue 14).

Revision ID: 0014_plate_history
Revises: 0013_document_reading
Create Date: 2026-12-06 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0014_plate_history'
down_revision: str | None = '0013_document_reading'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('plate_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vehicle_id', sa.Integer(), nullable=False),
    sa.Column('plate', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('start', sa.Date(), nullable=True),
    sa.Column('end', sa.Date(), nullable=True),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicle.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plate_history', schema=None) as batch_op:
        batch_op.create_index('ix_plate_history_vehicle', ['vehicle_id', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('plate_history', schema=None) as batch_op:
        batch_op.drop_index('ix_plate_history_vehicle')
    op.drop_table('plate_history')
