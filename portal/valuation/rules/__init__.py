"""The valuation's pure rules (DOMAIN §3): standard library, `portal.messages` and `portal.money`.

`engine` values a car (it chooses the method and adds the dealer and retail prices),
`replacement` and `market` are the two methods of §3.1, `inspection` the score and grade of
§3.2, `tax` the purchase tax, and `facts` what they all read and answer (the settings, the
car, a step, a price range) with the arithmetic they share. No Flask, no database.
"""
