"""Sizes the whole portal agrees on, each written once: models, forms, services, URLs and
API schemas read them from here. Standard library only, so pure rules may use them too.
"""

# The longest note a person writes: a reviewer's decision, a transfer's return reason,
# a refund's reason. The column, the form field and the service's trimming all use it.
NOTE_LENGTH = 500

# Ids are 32-bit integers on PostgreSQL (SQLite would overflow on a larger one), so an id
# beyond this is simply not found, and never reaches the database.
MAX_ID = 2**31 - 1
