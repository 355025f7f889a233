"""Stage 3, link: the curated registries of data/ (registry) as typed entities and a gazetteer (entities), and
the facts linked to them (linker).
"""
