"""Salon: chat backend for brand-ambassador commerce chat."""

__version__ = "0.1.0"
