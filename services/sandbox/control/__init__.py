"""The control API under `/_sandbox`: seed data, fire webhooks, inject faults, inspect.

Provider-specific control routes live with their provider (`providers/<name>/control.py`);
this package holds the JSON plumbing they share (`io`) and the provider-independent routes
(`platform`: reset, clock, faults, requests, deliveries, tokens).
"""
