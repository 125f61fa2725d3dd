"""Pure mappings from each ERP's invoice JSON to the canonical `libs.invoices.Invoice`.

    from_quickbooks(invoice, *, realm_id, customer, tax_codes, home_currency=None)
    from_xero(envelope, *, tenant_id)
    from_zoho(envelope, *, organization_id)

No I/O: the clients fetch, these map. Each raises `InvoiceError(field, problem)` with the
source's dotted path ("Invoices[0].LineItems[2].UnitAmount") for a missing or malformed
field, and for stated totals that disagree with the lines by more than a cent: a wrong
fiscal document is worse than a parked one. Money is Decimal throughout, never float.
"""

from services.erp_sync.mapping.quickbooks import from_quickbooks
from services.erp_sync.mapping.xero import from_xero
from services.erp_sync.mapping.zoho import from_zoho

__all__ = ["from_quickbooks", "from_xero", "from_zoho"]
