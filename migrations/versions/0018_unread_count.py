"""The unread notices of each account kept on its row, so the header of every signed-in
page reads it with the user instead of counting notices (issue 9: no count per request).

Revision ID: 0018_unread_count
Revises: 0017_reading_flags
Create Date: 2026-12-06 12:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0018_unread_count'
down_revision: str | None = '0017_reading_flags'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('unread_notices', sa.Integer(), server_default='0', nullable=False)
        )
        batch_op.create_check_constraint('ck_user_unread_notices', 'unread_notices >= 0')
    op.execute(
        "UPDATE user_account SET unread_notices = (SELECT count(*) FROM notice"
        " WHERE notice.user_id = user_account.id AND notice.read_at IS NULL)"
        " WHERE EXISTS (SELECT 1 FROM notice WHERE notice.user_id = user_account.id"
        " AND notice.read_at IS NULL)"
    )


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint('ck_user_unread_notices', type_='check')
        batch_op.drop_column('unread_notices')
