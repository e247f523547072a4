"""Disclosure catalog: the standard catalog, published records, timeliness supervision."""
