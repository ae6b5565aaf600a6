"""China's official working-day calendar (DOMAIN §1.7): the package's years, the years
administrators enter, and Monday to Friday beyond both."""
