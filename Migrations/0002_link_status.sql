-- The link to the cloud, as the running service last saw it, so `cloud-connector status` can show it
-- from another process; and an audit trail of the cloud answering with a lower ack than it gave.
-- Shipped migrations are never edited: add a new file.

-- One row, rewritten by `cloud-connector run` whenever the link's state changes (and now and then
-- while counters move). The link never reads it back: it is a report, not an input.
CREATE TABLE link_status (
    singleton           INTEGER PRIMARY KEY CHECK (singleton = 1),
    state               TEXT NOT NULL CHECK (state IN ('standalone', 'idle', 'fetching_token', 'connecting',
                            'awaiting_connect_ack', 'live', 'closing', 'backing_off', 'stopped')),
    session_id          TEXT,
    -- Free of secrets: built by the link's state machine, which cleans what peers send.
    last_error          TEXT,
    connect_attempts    INTEGER NOT NULL CHECK (connect_attempts >= 0),
    sessions            INTEGER NOT NULL CHECK (sessions >= 0),
    token_refusals      INTEGER NOT NULL CHECK (token_refusals >= 0),
    retry_in_ms         INTEGER CHECK (retry_in_ms IS NULL OR retry_in_ms >= 0),
    messages_sent       INTEGER NOT NULL CHECK (messages_sent >= 0),
    messages_resent     INTEGER NOT NULL CHECK (messages_resent >= 0),
    -- The cloud URL without user info or query.
    cloud_url           TEXT,
    pid                 INTEGER NOT NULL CHECK (pid > 0),
    started_at_ms       INTEGER NOT NULL,
    updated_at_ms       INTEGER NOT NULL CHECK (updated_at_ms >= started_at_ms)
);

-- Each time a cloud's connect_ack carried an acked_seq below the store's (the cloud lost data), the
-- delivery cursor went back so the messages still held are resent (R7). Seqs in
-- (to_seq, pruned_through] had been pruned by retention and could not be resent.
CREATE TABLE ack_rewinds (
    id                  INTEGER PRIMARY KEY,
    from_seq            INTEGER NOT NULL CHECK (from_seq > 0),
    to_seq              INTEGER NOT NULL CHECK (to_seq >= 0 AND to_seq < from_seq),
    pruned_through      INTEGER NOT NULL CHECK (pruned_through >= 0),
    rewound_at_ms       INTEGER NOT NULL
);
