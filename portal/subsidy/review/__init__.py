"""The reviewer's room: the province's queue, approve, reject or return (DOMAIN §1.4)."""
