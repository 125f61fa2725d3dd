"""outbound: every tenant event delivered to the tenant's own endpoints, signed, retried, logged.

handlers/fan_out.py     an event on {prefix}.events -> one delivery per matching endpoint,
                        queued on {prefix}.outbound.delivery (confirmed before the ack)
delivery/worker.py      the delivery runtime: gate, POST, log the attempt, settle
delivery/gates.py       per-endpoint concurrency, rate limit and circuit breaker
delivery/sender.py      one signed POST (Standard Webhooks), egress-guarded, bounded
delivery/schedule.py    retry tiers with jitter and Retry-After
endpoints.py            tenant -> endpoints with decoded signing keys, in memory
health.py               failure streaks; disabling (410, 5 days) with endpoint.disabled
replay.py               manual sends for the admin API: replay, replay failed, test event
retention.py            batched deletion of old attempts and deliveries
storage/                the tables: endpoints, secrets, deliveries, attempts
"""
