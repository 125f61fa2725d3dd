"""Simulated QuickBooks Online: the Accounting API (`api`), Intuit's OAuth server (`intuit`),
webhooks fired at ingress (`notifications`) and the control routes (`control`)."""
