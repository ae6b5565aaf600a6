"""The subsidy's pure rules (DOMAIN §1): standard library, `portal.messages` and `portal.money`.

`facts` holds what the rules read and answer, `eligibility` whether an application
qualifies, `amounts` how much, `window` when a program takes applications and the review
clock, `papers` which papers an application needs, `new_car` what a typed new car may
not be (the form and the API both ask), `national` the national rule sets programs are
seeded from. No Flask, no database.
"""
