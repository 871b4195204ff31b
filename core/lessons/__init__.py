"""The experiments behind each lesson page, one module per page key (pages/<key>.py)."""
