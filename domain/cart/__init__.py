"""The cart: the model (one live cart per buyer, lines holding stock), its use cases and the
sweeper that gives back lapsed holds."""
