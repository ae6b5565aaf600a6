"""Valuations of used cars after GB/T 30323-2013 (DOMAIN §3)."""
