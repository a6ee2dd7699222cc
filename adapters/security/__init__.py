"""Adapters for identity: password hashing (Argon2id) and JWTs (joserfc), OIDC JWKS."""
