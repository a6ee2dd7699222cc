"""The ledger: double-entry postings for an order's money."""
