"""Stripe payments for any feature: fee schedule, payment records, webhooks, refunds."""
