"""Stage 4, map: a parsed, linked report to RDF: its document layer (document), then its domain layer (domain)."""
