"""Stage 4, map: to RDF in the order the data flows: the reference data once (reference), then for each report
its document layer (document) and what it says (facts); writer holds the shared triple helpers."""
