-- The inbox: every request the cloud sent that this device answered, by request_id (R11), so a
-- redelivered execution_request is not run again and a redelivered messaging_event is answered
-- `duplicate`. A row is written in the same transaction as the event or reply that answers it, so
-- the inbox can never claim an answer the outbox does not hold, nor the reverse.
-- Shipped migrations are never edited: add a new file.
CREATE TABLE inbox (
    request_id      TEXT PRIMARY KEY CHECK (length(request_id) BETWEEN 1 AND 256),
    kind            TEXT NOT NULL CHECK (kind IN ('execution_request', 'messaging_event')),
    -- open: accepted and not answered yet (an execution a crash interrupted stays open until the
    -- next start ends it `interrupted`, R13); done: answered for good.
    state           TEXT NOT NULL CHECK (state IN ('open', 'done')),
    job_type        TEXT CHECK (job_type IS NULL OR job_type IN ('playbook', 'tool', 'chain')),
    workspace_id    TEXT,
    received_at_ms  INTEGER NOT NULL,
    done_at_ms      INTEGER,
    -- How it ended: completed, failed, cancelled, refused (never accepted), replied, ...
    outcome         TEXT,
    CHECK ((state = 'done') = (done_at_ms IS NOT NULL AND outcome IS NOT NULL)),
    CHECK (done_at_ms IS NULL OR done_at_ms >= received_at_ms)
);
-- Start-up finds what a crash left open; retention removes old answered rows.
CREATE INDEX inbox_open ON inbox(received_at_ms) WHERE state = 'open';
CREATE INDEX inbox_done ON inbox(done_at_ms) WHERE state = 'done';
