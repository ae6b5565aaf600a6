"""Notices (DOMAIN §6): an inbox row and an outbox of emails, written with the change."""
