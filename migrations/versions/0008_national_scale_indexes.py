"""national scale indexes: the reviewer's queue, its searches, the officers' queues, masked IDs

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTGOING = sa.text("status IN ('fee_paid', 'inspected')")
INCOMING = sa.text("status IN ('released', 'registered')")


def upgrade() -> None:
    op.create_index('ix_person_id_masked', 'person', ['id_masked'])
    op.create_index(
        'ix_application_queue_clock',
        'subsidy_application',
        ['province_code', 'status', 'clock_start', 'id'],
    )
    op.create_index(
        'ix_application_queue_amount',
        'subsidy_application',
        ['province_code', 'status', 'amount_fen', 'id'],
    )
    op.create_index(
        'ix_application_province_clock', 'subsidy_application', ['province_code', 'clock_start', 'id']
    )
    op.create_index('ix_application_person', 'subsidy_application', ['person_id', 'id'])
    op.create_index('ix_application_old_vin', 'subsidy_application', ['old_vin'])
    op.create_index('ix_application_new_vin', 'subsidy_application', ['new_vin'])
    op.create_index(
        'ix_transfer_outgoing_queue',
        'transfer_case',
        ['origin_province_code', 'id'],
        sqlite_where=OUTGOING,
        postgresql_where=OUTGOING,
    )
    op.create_index(
        'ix_transfer_incoming_queue',
        'transfer_case',
        ['destination_province_code', 'id'],
        sqlite_where=INCOMING,
        postgresql_where=INCOMING,
    )


def downgrade() -> None:
    op.drop_index('ix_transfer_incoming_queue', table_name='transfer_case')
    op.drop_index('ix_transfer_outgoing_queue', table_name='transfer_case')
    op.drop_index('ix_application_new_vin', table_name='subsidy_application')
    op.drop_index('ix_application_old_vin', table_name='subsidy_application')
    op.drop_index('ix_application_person', table_name='subsidy_application')
    op.drop_index('ix_application_province_clock', table_name='subsidy_application')
    op.drop_index('ix_application_queue_amount', table_name='subsidy_application')
    op.drop_index('ix_application_queue_clock', table_name='subsidy_application')
    op.drop_index('ix_person_id_masked', table_name='person')
