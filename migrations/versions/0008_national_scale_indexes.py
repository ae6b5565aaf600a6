"""national scale: indexes of the reviewer's queue, its searches, the officers' queues, masked
IDs; the car's family on transfer cases for comparable sales

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
COMPLETED = sa.text("status = 'completed'")


def upgrade() -> None:
    with op.batch_alter_table('transfer_case') as batch:
        batch.add_column(sa.Column('vehicle_brand', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('vehicle_model', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('vehicle_registered', sa.Date(), nullable=True))
    # Copied from the registry: a car's brand, model and first registration never change.
    for column, source in (
        ('vehicle_brand', 'brand'),
        ('vehicle_model', 'model'),
        ('vehicle_registered', 'first_registration'),
    ):
        op.execute(
            f"UPDATE transfer_case SET {column} ="
            f" (SELECT {source} FROM vehicle WHERE vehicle.id = transfer_case.vehicle_id)"
        )
    op.create_index(
        'ix_transfer_comparables',
        'transfer_case',
        ['vehicle_brand', 'vehicle_model', 'sale_date'],
        sqlite_where=COMPLETED,
        postgresql_where=COMPLETED,
    )
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
    op.drop_index('ix_transfer_comparables', table_name='transfer_case')
    with op.batch_alter_table('transfer_case') as batch:
        batch.drop_column('vehicle_registered')
        batch.drop_column('vehicle_model')
        batch.drop_column('vehicle_brand')
    op.drop_index('ix_transfer_incoming_queue', table_name='transfer_case')
    op.drop_index('ix_transfer_outgoing_queue', table_name='transfer_case')
    op.drop_index('ix_application_new_vin', table_name='subsidy_application')
    op.drop_index('ix_application_old_vin', table_name='subsidy_application')
    op.drop_index('ix_application_person', table_name='subsidy_application')
    op.drop_index('ix_application_province_clock', table_name='subsidy_application')
    op.drop_index('ix_application_queue_amount', table_name='subsidy_application')
    op.drop_index('ix_application_queue_clock', table_name='subsidy_application')
    op.drop_index('ix_person_id_masked', table_name='person')
