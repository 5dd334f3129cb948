"""The jit: tracing a call, building its prologue, caching, and the public entry points."""
