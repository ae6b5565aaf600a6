"""Scrap or sell? The two trade-in subsidies side by side for one old car (DOMAIN §3.5)."""
