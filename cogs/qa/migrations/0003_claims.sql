-- Several bot processes may share one PostgreSQL database, each running the due work (nudge, surface, archive).
-- A process takes a due question before touching it (claimed_by, claimed_at); another process may take it over
-- only once the claim is older than the lease (cogs/qa/store.py CLAIM_LEASE_SECONDS), so every action is done by
-- one process, and one that died is replaced. pending_action/pending_since still say which action was sent to
-- Discord and not confirmed yet (the next holder looks for it in the thread before sending again).
ALTER TABLE qa_questions ADD COLUMN claimed_by TEXT;  -- the process holding the question (host:pid:random)
ALTER TABLE qa_questions ADD COLUMN claimed_at INTEGER;
