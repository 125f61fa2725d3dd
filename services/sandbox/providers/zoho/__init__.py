"""Simulated Zoho Books: the Books API (`api`), Zoho Accounts' OAuth server (`accounts`) and
the control routes (`control`), which also fire the organization's signed webhooks."""
