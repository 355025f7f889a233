"""Stage 7, publish: the build written atomically (output), dumps, VoID/DCAT, ontology docs, statistics and the
static site.
"""
