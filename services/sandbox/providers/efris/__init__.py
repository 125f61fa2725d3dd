"""Simulated URA EFRIS (system-to-system, efris.md): the one endpoint (`api`), the control
routes (`control`), and what sits between them:

    wire            envelope checks, device signature, T104 key, AES, gzip, sealing answers
    session         T101 time, T103 sign-in, T104 key        devices        keys and FDNs
    goods_upload    T130 goods, T127 inquiry                 catalog        goods per TIN
    invoicing       T109 (invoice_rules, goods_lines,        ledger         issued FDNs
                    arithmetic, documents)
    queries         T106, T108                               applications   T110/T111 state
    credit_notes    T110, T111 (credit_rules)                state          all of the above
"""
