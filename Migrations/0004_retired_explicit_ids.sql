-- Ids that outlive their rows. A message held under an id of its own (explicit_id: salvaged from
-- another store, or moved past a cloud's ack by R7) has no other trace once retention or the size
-- bound retires its row, unlike a derived id (its seq is below pruned_through) or a usage report
-- (the ledger). LogRetirer writes the id here in the same transaction as the delete, so the store
-- still knows it held that message: salvage run again after the cloud acked and the store pruned
-- appends nothing twice, and a derived id is not taken for a seq that held another id.
-- Never pruned, like the ledger: some 60 bytes (row and index) per retired message with an id of
-- its own; the size bound does not count them, as it does not count the ledger.
-- Shipped migrations are never edited: add a new file.
CREATE TABLE retired_explicit_ids (
    seq     INTEGER PRIMARY KEY CHECK (seq > 0),
    id      BLOB NOT NULL UNIQUE CHECK (typeof(id) = 'blob' AND length(id) = 16)
);
