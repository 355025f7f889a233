"""The static linked-data site: pages (pages) from indexes (data), HTML (html), paths (paths), the report as read
(reading), kinds, and content negotiation (conneg).
"""
