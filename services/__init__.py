"""One package per service; each starts with `python -m services.<name>` (see libs.service)."""
