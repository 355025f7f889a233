"""Querying the build: the query library and engines (query), results (results), the guard, the endpoint client,
serve and push.
"""
