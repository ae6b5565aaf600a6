"""Notices (inbox and email outbox), privacy consent, the working-day calendar (issue 13).

Revision ID: 0012_notices
Revises: 0011_valuation_calibration
Create Date: 2026-12-06 09:23:51.946522
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = "0012_notices"
down_revision: str | None = "0011_valuation_calibration"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Where an application stands (portal/subsidy/standing.py): its place and the pace.
    with op.batch_alter_table('subsidy_application', schema=None) as batch_op:
        batch_op.create_index('ix_application_program_pending', ['program_id', 'submitted_at', 'id'], unique=False, postgresql_where=sa.text("status = 'submitted'"), sqlite_where=sa.text("status = 'submitted'"))
        batch_op.create_index('ix_application_program_decided', ['program_id', 'decided_at'], unique=False)
    op.create_table(
        "calendar_year",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("entered_by", sa.Integer(), nullable=True),
        sa.Column("entered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entered_by"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("year"),
    )
    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("link", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("read_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notice_unread",
            ["user_id"],
            unique=False,
            postgresql_where=sa.text("read_at IS NULL"),
            sqlite_where=sa.text("read_at IS NULL"),
        )
        batch_op.create_index("ix_notice_user_newest", ["user_id", "id"], unique=False)

    op.create_table(
        "notice_email_off",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("user_id", "category"),
    )
    op.create_table(
        "privacy_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("consented_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "version", name="uq_privacy_consent"),
    )
    with op.batch_alter_table("privacy_consent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_consent_user_id"), ["user_id"], unique=False)

    op.create_table(
        "notice_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sending",
                "sent",
                "failed",
                name="deliverystatus_enum",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("claimed_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["notice.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notice_id", "channel", name="uq_notice_delivery_channel"),
    )
    with op.batch_alter_table("notice_delivery", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notice_delivery_due",
            ["next_attempt_at"],
            unique=False,
            postgresql_where=sa.text("status IN ('pending', 'sending')"),
            sqlite_where=sa.text("status IN ('pending', 'sending')"),
        )

    op.create_table(
        "official_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("worked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["year"],
            ["calendar_year.year"],
        ),
        sa.PrimaryKeyConstraint("day"),
    )
    with op.batch_alter_table("official_day", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_official_day_year"), ["year"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('subsidy_application', schema=None) as batch_op:
        batch_op.drop_index('ix_application_program_decided')
        batch_op.drop_index('ix_application_program_pending', postgresql_where=sa.text("status = 'submitted'"), sqlite_where=sa.text("status = 'submitted'"))
    with op.batch_alter_table("official_day", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_official_day_year"))

    op.drop_table("official_day")
    with op.batch_alter_table("notice_delivery", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_notice_delivery_due",
            postgresql_where=sa.text("status IN ('pending', 'sending')"),
            sqlite_where=sa.text("status IN ('pending', 'sending')"),
        )

    op.drop_table("notice_delivery")
    with op.batch_alter_table("privacy_consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_consent_user_id"))

    op.drop_table("privacy_consent")
    op.drop_table("notice_email_off")
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_user_newest")
        batch_op.drop_index(
            "ix_notice_unread",
            postgresql_where=sa.text("read_at IS NULL"),
            sqlite_where=sa.text("read_at IS NULL"),
        )

    op.drop_table("notice")
    op.drop_table("calendar_year")
