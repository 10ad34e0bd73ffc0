"""Kinerja: the indicators of a Perjanjian Kinerja (performance agreement), computed monthly."""

__version__ = "0.1.0"
