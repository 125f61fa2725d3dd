"""Simulated Stripe: Checkout Sessions (`sessions`) whose events the control routes
(`control`) fire, signed, at ingress. There is no simulated Stripe API yet."""
