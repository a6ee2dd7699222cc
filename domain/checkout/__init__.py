"""Checkout: sessions over a cart in CHECKOUT (model), their use cases, and checkoutComplete
(place the order, then charge it)."""
