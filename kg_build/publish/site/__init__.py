"""The static linked-data site: pages (pages) from indexes (data), HTML (html) with language marks (lang), paths
(paths), the report as read (reading), pictures (figures: counted by tallies, drawn by charts), kinds, and content
negotiation (conneg).
"""
