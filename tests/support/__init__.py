"""Helpers shared by the tests (fixtures stay in the conftest.py files): the database under
test, the GraphQL client, a real server, factories, the Redis/NATS services, database faults,
and the journeys (cart, checkout, fulfilment, tokens, WebSocket) several test modules walk."""
