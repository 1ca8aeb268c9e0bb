"""The scoring domain: pure rules, no I/O."""
