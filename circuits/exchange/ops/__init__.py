"""One statement per operation type; each is a slot generator over a :class:`SlotContext`."""
