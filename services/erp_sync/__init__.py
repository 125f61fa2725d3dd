"""ERP sync: reads tenants' invoices from QuickBooks, Xero and Zoho Books as canonical invoices."""
