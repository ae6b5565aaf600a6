"""The valuation's configurable values: the one settings row (`services`) and the
administrator's page at /admin/valuation (`views`)."""
