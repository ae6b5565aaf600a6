"""The owner's room: start a draft, fill it step by step, submit or withdraw it (DOMAIN §1.3)."""
