"""The CloudEvents 1.0 envelope every message on the broker carries (CONTRACT §4).

{"specversion": "1.0", "id": "...", "source": "/providers/quickbooks",
 "type": "quickbooks.invoice.created", "subject": "invoice/145",
 "time": "2026-11-21T08:00:00Z", "datacontenttype": "application/json",
 "accountid": "9130...", "tenantid": "...", "dedupekey": "...", "data": {...}}

EventError              the bytes are not a valid event (wrong JSON, missing or bad attribute)
"""

from libs.events._cloudevent import CONTENT_TYPE, CloudEvent, EventError, new_event_id

__all__ = ["CONTENT_TYPE", "CloudEvent", "EventError", "new_event_id"]
