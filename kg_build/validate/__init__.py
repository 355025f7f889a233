"""Stage 6, validate: SHACL shapes (shapes, sparql_constraints) and ontology QC queries (qc), reported as findings."""
