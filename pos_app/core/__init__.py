"""The loyalty domain: rules as data and pure calculations. Standard library only."""
