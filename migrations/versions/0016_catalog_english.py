"""English names of the catalog's brands and series (issue 14, point 10).

Revision ID: 0016_catalog_english
Revises: 0015_plate_choice
Create Date: 2026-12-06 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0016_catalog_english'
down_revision: str | None = '0015_plate_choice'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Trims already loaded show their Chinese names until `flask seed reference` (or an
    # import of the catalog) writes the English ones.
    with op.batch_alter_table('car_model', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'brand_en', sqlmodel.sql.sqltypes.AutoString(length=64),
            nullable=False, server_default='',
        ))
        batch_op.add_column(sa.Column(
            'series_en', sqlmodel.sql.sqltypes.AutoString(length=64),
            nullable=False, server_default='',
        ))
    with op.batch_alter_table('car_model', schema=None) as batch_op:
        batch_op.alter_column('brand_en', server_default=None)
        batch_op.alter_column('series_en', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('car_model', schema=None) as batch_op:
        batch_op.drop_column('series_en')
        batch_op.drop_column('brand_en')
