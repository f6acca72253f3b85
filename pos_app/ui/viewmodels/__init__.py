"""Screen state as QObjects with signals; no widgets inside, so tests need no pixels."""
