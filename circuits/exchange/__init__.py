"""The exchange batch circuit: account and global state, one statement per operation, the slot
machinery that applies them, and the batch commitment (see docs/exchange.md)."""
