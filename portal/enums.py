"""A column type for string enums, stored as their values in a VARCHAR with a CHECK."""

from enum import StrEnum

import sqlalchemy as sa


def enum_column(enum: type[StrEnum]) -> sa.Enum:
    """Store an enum by value (readable in SQL), portable across SQLite and PostgreSQL."""
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum),
        values_callable=lambda members: [member.value for member in members],
        name=f"{enum.__name__.lower()}_enum",
    )
