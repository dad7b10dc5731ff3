-- The event log (outbox) and its projections. Shipped migrations are never edited: add a new file.
-- The invariants live here, in the schema, so no code path can write a row that breaks them.

-- Which device and tenant this store belongs to (PROTOCOL R12). Exactly one row.
CREATE TABLE store_identity (
    singleton       INTEGER PRIMARY KEY CHECK (singleton = 1),
    device_id       TEXT NOT NULL CHECK (length(device_id) BETWEEN 1 AND 256),
    tenant_id       TEXT NOT NULL CHECK (length(tenant_id) BETWEEN 1 AND 256),
    -- Random per store: message ids are derived from (id_salt, seq), see MessageIDScheme.swift.
    id_salt         BLOB NOT NULL CHECK (typeof(id_salt) = 'blob' AND length(id_salt) = 16),
    created_at_ms   INTEGER NOT NULL
);

-- The seq allocator and delivery cursor. last_seq is the highest seq ever assigned and only grows,
-- so a seq is never reused, also after its row is pruned or dropped. acked_seq is the cloud's
-- cumulative ack; pruned_through is the end of the prefix removed by retention.
CREATE TABLE sequence_state (
    singleton       INTEGER PRIMARY KEY CHECK (singleton = 1),
    last_seq        INTEGER NOT NULL CHECK (last_seq >= 0),
    acked_seq       INTEGER NOT NULL CHECK (acked_seq >= 0 AND acked_seq <= last_seq),
    pruned_through  INTEGER NOT NULL CHECK (pruned_through >= 0 AND pruned_through <= acked_seq),
    held_bytes      INTEGER NOT NULL CHECK (held_bytes >= 0)
);
INSERT INTO sequence_state VALUES (1, 0, 0, 0, 0);

-- Payload codecs. A dictionary is stored with its codec so that rows stay readable forever, whatever
-- dictionary later binaries ship.
CREATE TABLE codecs (
    code            INTEGER PRIMARY KEY CHECK (code >= 0),
    name            TEXT NOT NULL UNIQUE,
    dictionary      BLOB,
    CHECK ((code < 2) = (dictionary IS NULL))
);
INSERT INTO codecs VALUES (0, 'identity', NULL), (1, 'lz4', NULL);

-- The log. One row per outbound execution_event (type 1), usage_report (2), messaging_reply (3).
-- The envelope's id is derived from (store_identity.id_salt, seq) by a bijection, so it is stable
-- and unique without a column or an index; only a message that arrived with an id of its own
-- (salvaged from another store) keeps it in explicit_id. ts is created_at_ms; payload is the exact
-- JSON sent, possibly compressed (codec). The typed columns are what projections and audits need,
-- extracted at append time. request_id and natural_key hold 16 bytes when the text is a canonical
-- lower-case UUID (it converts back exactly), else the text itself.
CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY CHECK (seq > 0),
    explicit_id     BLOB CHECK (explicit_id IS NULL OR (typeof(explicit_id) = 'blob' AND length(explicit_id) = 16)),
    type            INTEGER NOT NULL CHECK (type IN (1, 2, 3)),
    request_id      NOT NULL CHECK (length(request_id) > 0),
    created_at_ms   INTEGER NOT NULL,
    event_at_ms     INTEGER NOT NULL,
    natural_key,
    event_type      TEXT CHECK (event_type IN
                        ('accepted', 'started', 'progress', 'completed', 'failed', 'cancelled')),
    job_type        TEXT,
    codec           INTEGER NOT NULL REFERENCES codecs(code),
    raw_size        INTEGER NOT NULL CHECK (raw_size BETWEEN 2 AND 1048576),
    payload         BLOB NOT NULL CHECK (typeof(payload) = 'blob'),
    -- Which payload fields the typed columns hold instead of the stored JSON (PayloadLayout.swift);
    -- 0 = the payload is stored whole. raw_size is the size of the stored JSON before compression.
    layout          INTEGER NOT NULL DEFAULT 0 CHECK (layout >= 0),
    CHECK (typeof(request_id) IN ('text', 'blob')),
    CHECK (natural_key IS NULL OR typeof(natural_key) IN ('text', 'blob')),
    CHECK ((type = 1) = (event_type IS NOT NULL)),
    CHECK ((type IN (1, 2)) = (natural_key IS NOT NULL)),
    CHECK (job_type IS NULL OR event_type = 'accepted')
);
-- event_id (R2) and report_id are unique among held messages of their type.
CREATE UNIQUE INDEX outbox_natural_key ON outbox(type, natural_key) WHERE natural_key IS NOT NULL;
CREATE UNIQUE INDEX outbox_explicit_id ON outbox(explicit_id) WHERE explicit_id IS NOT NULL;
-- No index by request_id: every append would dirty a random page of it. Timelines read the seq
-- range their executions row records; audits by request scan.

-- Usage ledger: one row per usage_report ever appended. Never pruned: billing exports read it.
CREATE TABLE usage_ledger (
    report_id           TEXT PRIMARY KEY,
    seq                 INTEGER NOT NULL UNIQUE CHECK (seq > 0),
    message_id          BLOB NOT NULL CHECK (length(message_id) = 16),
    created_at_ms       INTEGER NOT NULL,
    request_id          TEXT NOT NULL,
    tenant_id           TEXT NOT NULL,
    workspace_id        TEXT NOT NULL,
    model               TEXT NOT NULL,
    day                 TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    reported_at_ms      INTEGER NOT NULL,
    executor_device_id  TEXT NOT NULL,
    duration_ms         INTEGER NOT NULL CHECK (duration_ms >= 0),
    prompt_tokens       INTEGER NOT NULL CHECK (prompt_tokens >= 0),
    completion_tokens   INTEGER NOT NULL CHECK (completion_tokens >= 0),
    total_tokens        INTEGER NOT NULL CHECK (total_tokens >= 0),
    cost_micros         INTEGER NOT NULL CHECK (cost_micros >= 0),
    currency            TEXT NOT NULL,
    CHECK (cost_micros = 0 OR currency <> '')
) WITHOUT ROWID;
CREATE INDEX usage_ledger_by_day ON usage_ledger(day, seq);

-- Metering totals, derived from the ledger by trigger, so a ledger row and its totals are always
-- written by the same statement in the same transaction. Costs are summed per currency only.
CREATE TABLE metering_totals (
    tenant_id           TEXT NOT NULL,
    day                 TEXT NOT NULL,
    workspace_id        TEXT NOT NULL,
    model               TEXT NOT NULL,
    currency            TEXT NOT NULL,
    reports             INTEGER NOT NULL CHECK (reports > 0),
    duration_ms         INTEGER NOT NULL CHECK (duration_ms >= 0),
    prompt_tokens       INTEGER NOT NULL CHECK (prompt_tokens >= 0),
    completion_tokens   INTEGER NOT NULL CHECK (completion_tokens >= 0),
    total_tokens        INTEGER NOT NULL CHECK (total_tokens >= 0),
    cost_micros         INTEGER NOT NULL CHECK (cost_micros >= 0),
    PRIMARY KEY (tenant_id, day, workspace_id, model, currency)
) WITHOUT ROWID;

CREATE TRIGGER usage_ledger_adds_to_totals AFTER INSERT ON usage_ledger BEGIN
    INSERT INTO metering_totals VALUES (
        NEW.tenant_id, NEW.day, NEW.workspace_id, NEW.model, NEW.currency, 1, NEW.duration_ms,
        NEW.prompt_tokens, NEW.completion_tokens, NEW.total_tokens, NEW.cost_micros)
    ON CONFLICT (tenant_id, day, workspace_id, model, currency) DO UPDATE SET
        reports = reports + 1,
        duration_ms = duration_ms + excluded.duration_ms,
        prompt_tokens = prompt_tokens + excluded.prompt_tokens,
        completion_tokens = completion_tokens + excluded.completion_tokens,
        total_tokens = total_tokens + excluded.total_tokens,
        cost_micros = cost_micros + excluded.cost_micros;
END;

-- Execution timelines: one summary row per request_id. The events themselves are read from the log
-- (outbox_by_request); what retention or the size bound removed from the log is folded into
-- execution_retired first, so summaries survive pruning and rebuild = fold(retired, log).
CREATE TABLE executions (
    request_id          TEXT PRIMARY KEY,
    job_type            TEXT,
    job_type_seq        INTEGER,
    status              TEXT NOT NULL CHECK (status IN
                            ('accepted', 'running', 'completed', 'failed', 'cancelled')),
    first_event_ms      INTEGER NOT NULL,
    last_event_ms       INTEGER NOT NULL CHECK (last_event_ms >= first_event_ms),
    first_seq           INTEGER NOT NULL,
    last_seq            INTEGER NOT NULL CHECK (last_seq >= first_seq),
    terminal_seq        INTEGER,
    terminal_at_ms      INTEGER,
    duration_ms         INTEGER,
    event_count         INTEGER NOT NULL CHECK (event_count > 0),
    CHECK ((terminal_seq IS NULL) = (status IN ('accepted', 'running'))),
    CHECK ((terminal_seq IS NULL) = (terminal_at_ms IS NULL)),
    CHECK ((terminal_seq IS NULL) = (duration_ms IS NULL))
) WITHOUT ROWID;

CREATE TABLE execution_retired (
    request_id          TEXT PRIMARY KEY,
    job_type            TEXT,
    job_type_seq        INTEGER,
    status              TEXT NOT NULL CHECK (status IN
                            ('accepted', 'running', 'completed', 'failed', 'cancelled')),
    first_event_ms      INTEGER NOT NULL,
    last_event_ms       INTEGER NOT NULL CHECK (last_event_ms >= first_event_ms),
    first_seq           INTEGER NOT NULL,
    last_seq            INTEGER NOT NULL CHECK (last_seq >= first_seq),
    terminal_seq        INTEGER,
    terminal_at_ms      INTEGER,
    duration_ms         INTEGER,
    event_count         INTEGER NOT NULL CHECK (event_count > 0)
) WITHOUT ROWID;

-- Every way a seq can be missing from the log is recorded, so verify can tell a hand-deleted row
-- from an allowed gap: retention pruning (a prefix), the size bound (dropped progress events, R4),
-- and a cloud that held seqs this store never assigned (R7).
CREATE TABLE prune_log (
    id                  INTEGER PRIMARY KEY,
    pruned_at_ms        INTEGER NOT NULL,
    reason              TEXT NOT NULL CHECK (reason IN ('retention', 'size_bound')),
    from_seq            INTEGER NOT NULL,
    through_seq         INTEGER NOT NULL CHECK (through_seq >= from_seq),
    messages            INTEGER NOT NULL CHECK (messages >= 0),
    stored_bytes        INTEGER NOT NULL CHECK (stored_bytes >= 0),
    archive_path        TEXT
);

CREATE TABLE dropped_messages (
    seq                 INTEGER PRIMARY KEY,
    id                  BLOB NOT NULL CHECK (length(id) = 16),
    request_id          TEXT NOT NULL,
    event_id            TEXT NOT NULL,
    dropped_at_ms       INTEGER NOT NULL
);

CREATE TABLE seq_jumps (
    id                  INTEGER PRIMARY KEY,
    from_seq            INTEGER NOT NULL,
    to_seq              INTEGER NOT NULL CHECK (to_seq > from_seq),
    jumped_at_ms        INTEGER NOT NULL
);

-- For auditors reading the file with the sqlite3 shell (ids are shown by `cloud-connector outbox`).
CREATE VIEW outbox_messages AS
SELECT seq,
       CASE type WHEN 1 THEN 'execution_event' WHEN 2 THEN 'usage_report' ELSE 'messaging_reply' END AS type,
       CASE typeof(request_id) WHEN 'blob' THEN lower(substr(hex(request_id), 1, 8) || '-' || substr(hex(request_id), 9, 4) || '-' || substr(hex(request_id), 13, 4) || '-' || substr(hex(request_id), 17, 4) || '-' || substr(hex(request_id), 21)) ELSE request_id END AS request_id,
       event_type, created_at_ms, event_at_ms, codec, raw_size,
       length(payload) AS stored_size,
       seq <= (SELECT acked_seq FROM sequence_state) AS acked
FROM outbox;
