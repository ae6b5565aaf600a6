"""The detailed valuation report: bought through payments or free (`services`), its page
(`views`) and its PDF (`pdf`)."""
