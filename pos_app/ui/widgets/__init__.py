"""Thin widgets over the view-models."""
