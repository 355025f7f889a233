"""Stage 2, extract: what a report says (facts), found by the rules of data/rules/LANG.yaml (rules)."""
