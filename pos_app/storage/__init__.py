"""Persistence: the only package that imports peewee. Opens the database with its pragmas,
runs migrations and turns rows into domain objects and back."""
