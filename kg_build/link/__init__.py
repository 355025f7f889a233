"""Stage 3, link: the facts of every report linked to the reference data (linker): unlinked names and unused
registry entries reported, States enriched with CLDR names."""
