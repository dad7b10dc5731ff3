-- What an open execution has used so far, kept on its inbox row: when a crash interrupts it, the
-- next start ends it `interrupted` (R13) with a usage report of what it had used up to its last
-- output — tokens and cost from its `usage` lines, and the time from `started` to its last sign of
-- life — instead of an empty one. Written in the same unit as the `started` and `progress` events,
-- and by itself at each `usage` line.
-- Shipped migrations are never edited: add a new file.
ALTER TABLE inbox ADD COLUMN started_at_ms INTEGER CHECK (started_at_ms IS NULL OR started_at_ms >= 0);
ALTER TABLE inbox ADD COLUMN last_output_at_ms INTEGER CHECK (last_output_at_ms IS NULL OR last_output_at_ms >= 0);
ALTER TABLE inbox ADD COLUMN usage_so_far TEXT CHECK (usage_so_far IS NULL OR json_valid(usage_so_far));
