"""Root fields, one module per feature; schema/build.py merges them into Query, Mutation and
Subscription. A feature module exposes `Query`, `Mutation` and/or `Subscription` classes."""
