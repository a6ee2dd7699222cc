"""Orders: the model and status rules, placement from a checkout session, cancel and refund, what
a cancellation gives back, and the state an order event carries."""
