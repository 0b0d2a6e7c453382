"""Equity Lens: shared computations for the curriculum notebooks."""

__version__ = "0.1.0"
