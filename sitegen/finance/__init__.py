"""Finance (财务): the finance tables and statements reconciled with the journal (`tables`), and the plain running
ledger (流水账) made from the vouchers (`ledger`). Above `content`; knows nothing of pages."""
