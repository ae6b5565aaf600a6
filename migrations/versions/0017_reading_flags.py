"""Names read from the papers against the registry's: a flag for the second reviewer.

Whether the invoice's buyer name is the applicant's and the licence's owner name the
car's registered owner's, decided when the paper is read (DOMAIN §1.5, issue 15).
Readings made before this migration have no answer (NULL) and raise no flag.

Revision ID: 0017_reading_flags
Revises: 0016_catalog_english
Create Date: 2026-12-06 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0017_reading_flags'
down_revision: str | None = '0016_catalog_english'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('document_reading', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_agrees', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('document_reading', schema=None) as batch_op:
        batch_op.drop_column('name_agrees')
