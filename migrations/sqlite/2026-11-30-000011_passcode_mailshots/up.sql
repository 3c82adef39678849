-- Passcode mailshots (R-O7): the helpdesk issues passcodes to many practices at once. A mailshot
-- lists its practices; the scheduled job works through them, each once, and records per practice
-- what was sent or why not.
CREATE TABLE mailshots (
    id TEXT PRIMARY KEY,
    requested_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);

CREATE TABLE mailshot_items (
    mailshot_id TEXT NOT NULL REFERENCES mailshots (id),
    position INTEGER NOT NULL,
    requested TEXT NOT NULL,
    cqc_location_id TEXT,
    outcome TEXT NOT NULL,
    detail TEXT,
    PRIMARY KEY (mailshot_id, position)
);
CREATE INDEX mailshot_items_pending_idx ON mailshot_items (outcome, mailshot_id);
