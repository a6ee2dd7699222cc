"""Fulfilment: a seller's shipments through their states, and the order following them."""
