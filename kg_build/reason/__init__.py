"""Stage 5, reason: the OWL 2 RL closure of a graph under the ontology (closure)."""
