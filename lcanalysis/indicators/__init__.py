"""Indicators: participation, progression, mobility, pilot effect and scale-up."""
