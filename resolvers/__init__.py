"""Resolvers: one module per feature. A resolver reads the viewer and loaders from
info.context, calls one domain service, clears stale loaders and builds the payload."""
