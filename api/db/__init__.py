"""Every MongoDB call of the product lives in this package: one module per collection."""
