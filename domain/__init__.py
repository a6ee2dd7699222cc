"""The business: plain dataclasses, rules, ports and use cases. Standard library only."""
