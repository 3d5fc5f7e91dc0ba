"""The reply desk: draft, check and approve answers to criticism, with four eyes, then publish.

Why a package of its own: the desk joins four concerns that each have one home here —
`workflow` (the review state machine: who may do what, when; pure), `events` (the desk's JSONL
records: the dashboard appends them to the writer's inbox, `pipeline.store.inbox`), `ledger` (the
writer applies them to DuckDB, checking the same rules again, so a forged file cannot
self-approve), `advice` (the reply-quality score of a draft with concrete advice per component and
the SLA time left) and `publish` (posting an approved reply through a platform's API, or marking it
posted by hand). The flow and what is posted automatically: `docs/reply-desk.md`.
"""
