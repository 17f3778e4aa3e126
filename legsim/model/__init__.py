"""Model data and derivation: anthropometry tables, actuator presets, sympy derivation."""
