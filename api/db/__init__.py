"""Every MongoDB call of the product lives in this package: the client (`Store`), one repository
per collection, the write path's transaction, the ledger's change stream, and the classification
of database failures."""
