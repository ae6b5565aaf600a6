"""The administrator's room for payouts: batches to the bank and its results back (DOMAIN §1.4)."""
