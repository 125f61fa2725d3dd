"""Outbound's tables; nothing else writes them (DESIGN "Data").

webhook_endpoints         a tenant's endpoint: url, filters, headers, rate, enabled, health
webhook_endpoint_secrets  its whsec_ secrets, encrypted; the current one has no expiry
webhook_deliveries        one row per (event, endpoint): the exact payload and its state
webhook_attempts          every try: status code, duration, truncated response, next try
"""
