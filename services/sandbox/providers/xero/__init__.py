"""Simulated Xero: the Accounting API and connections (`api`), Xero identity's OAuth server
(`identity`), webhooks fired at ingress (`notifications`) and the control routes (`control`)."""
