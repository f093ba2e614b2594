from tests.api.accounts import seller, shop

__all__ = ["seller", "shop"]  # fixtures for every test of this directory
