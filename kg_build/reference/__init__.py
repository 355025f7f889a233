"""The reference data every stage reads: the curated registries of data/registries/ (registry), as typed
entities, concepts and a gazetteer of their names (entities)."""
