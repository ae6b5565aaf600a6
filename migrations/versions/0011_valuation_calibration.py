"""Calibrated valuations: catalog class and curb weight, scrap rate, why a case has no flag.

Revision ID: 0011_valuation_calibration
Revises: 0010_sessions
Create Date: 2026-12-06 09:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011_valuation_calibration'
down_revision: str | None = '0010_sessions'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLASSES = (
    'small_car', 'compact_car', 'midsize_car', 'large_car',
    'small_suv', 'compact_suv', 'midsize_suv', 'large_suv', 'mpv',
)


def upgrade() -> None:
    # Trims already loaded get the commonest class and weight until `flask seed reference`
    # (or an import of the catalog) writes their own.
    with op.batch_alter_table('car_model', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'vehicle_class',
            sa.Enum(*CLASSES, name='vehicleclass_enum', native_enum=False, create_constraint=True),
            nullable=False,
            server_default='compact_car',
        ))
        batch_op.add_column(
            sa.Column('curb_weight_kg', sa.Integer(), nullable=False, server_default='1300')
        )
    with op.batch_alter_table('car_model', schema=None) as batch_op:
        batch_op.alter_column('vehicle_class', server_default=None)
        batch_op.alter_column('curb_weight_kg', server_default=None)
    with op.batch_alter_table('valuation_settings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('scrap_fen_per_tonne', sa.Integer(), nullable=False, server_default='120000')
        )
    with op.batch_alter_table('valuation_settings', schema=None) as batch_op:
        batch_op.alter_column('scrap_fen_per_tonne', server_default=None)
    with op.batch_alter_table('transfer_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'no_valuation_reason',
            sa.Enum(
                'not_in_catalog', 'cannot_value',
                name='novaluation_enum', native_enum=False, create_constraint=True,
            ),
            nullable=True,
        ))


def downgrade() -> None:
    with op.batch_alter_table('transfer_case', schema=None) as batch_op:
        batch_op.drop_column('no_valuation_reason')
    with op.batch_alter_table('valuation_settings', schema=None) as batch_op:
        batch_op.drop_column('scrap_fen_per_tonne')
    with op.batch_alter_table('car_model', schema=None) as batch_op:
        batch_op.drop_column('curb_weight_kg')
        batch_op.drop_column('vehicle_class')
