"""HTTP endpoints beside GraphQL: provider webhooks and the offline provider's action page."""
