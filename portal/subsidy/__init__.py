"""Trade-in subsidies: programs, applications, review against a budget, payouts (DOMAIN §1)."""
