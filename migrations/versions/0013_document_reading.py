"""Readings of uploaded papers (portal/reading) and the anti-fraud lookups (DOMAIN §1.5).

A document_reading row per paper read, its fields sealed; the invoice number and the
card's keyed hash indexed for the reused-invoice and reused-card flags; room for more flags.
Cards saved before this migration have no hash: only cards saved from now on are compared.

Revision ID: 0013_document_reading
Revises: 0012_notices
Create Date: 2026-12-06 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0013_document_reading'
down_revision: str | None = '0012_notices'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('document_reading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('invoice', 'vehicle_licence', name='paperkind_enum', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='readingstatus_enum', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('stored_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('method', sa.Enum('qr', 'text', 'ocr', name='method_enum', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('fields_sealed', sa.Text(), nullable=True),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('invoice_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('invoice_date', sa.Date(), nullable=True),
    sa.Column('buyer_id_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['subsidy_application.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('document_reading', schema=None) as batch_op:
        batch_op.create_index('ix_document_reading_application', ['application_id', 'kind', 'id'], unique=False)
        batch_op.create_index('ix_document_reading_user', ['user_id', 'id'], unique=False)
        batch_op.create_index('ix_document_reading_invoice_number', ['invoice_number'], unique=False)

    with op.batch_alter_table('subsidy_application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank_card_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.alter_column('flags',
               existing_type=sa.VARCHAR(length=64),
               type_=sqlmodel.sql.sqltypes.AutoString(length=200),
               existing_nullable=False)
        batch_op.create_index('ix_application_bank_card_hash', ['bank_card_hash'], unique=False)
        batch_op.create_index('ix_application_invoice_number', ['invoice_number'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('subsidy_application', schema=None) as batch_op:
        batch_op.drop_index('ix_application_invoice_number')
        batch_op.drop_index('ix_application_bank_card_hash')
        batch_op.alter_column('flags',
               existing_type=sqlmodel.sql.sqltypes.AutoString(length=200),
               type_=sa.VARCHAR(length=64),
               existing_nullable=False)
        batch_op.drop_column('bank_card_hash')

    with op.batch_alter_table('document_reading', schema=None) as batch_op:
        batch_op.drop_index('ix_document_reading_invoice_number')
        batch_op.drop_index('ix_document_reading_user')
        batch_op.drop_index('ix_document_reading_application')

    op.drop_table('document_reading')
