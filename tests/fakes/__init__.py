"""Local servers that speak a remote service's protocol, for tests."""
