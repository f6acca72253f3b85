"""The cashier window (PySide6): composition root, view-models, widgets, background work."""
