"""Payments: the provider port, applying outcomes (provider answers and webhooks), webhook
content checks and card details from method tokens."""
