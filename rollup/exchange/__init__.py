"""The exchange's native side: state, operations as clients sign them, and the batch transition
that runs the batch circuit on values (docs/exchange.md)."""
