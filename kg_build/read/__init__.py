"""Stage 1, read: a report file decoded (source), found beside its metadata (discover), parsed by its format into
the document model (parse, model).
"""
