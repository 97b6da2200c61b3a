"""Model providers. Only modules in this package import vendor SDKs."""
