"""The fiscalizer's provider clients: one module per provider (EFRIS)."""
