"""A learning rule living in its own package, found by learning-rules through an entry point."""
