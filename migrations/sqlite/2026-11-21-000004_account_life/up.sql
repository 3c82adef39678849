-- Account life (R-L1, R-L2, R-L7): activation progress, security answers (hashed), previous
-- passwords (hashed), self-service reset codes (hashed), and session scope and refresh tokens.

ALTER TABLE accounts ADD COLUMN security_questions_set_at TIMESTAMP;
ALTER TABLE accounts ADD COLUMN mobile_visibility_chosen_at TIMESTAMP;
ALTER TABLE accounts ADD COLUMN disabled_reason TEXT;

CREATE TABLE security_answers (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    question TEXT NOT NULL,
    answer_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT security_answers_pkey PRIMARY KEY (account_id, question)
);

CREATE TABLE password_history (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    password_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX password_history_account_idx ON password_history (account_id, created_at);

CREATE TABLE password_resets (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    code_hash TEXT NOT NULL,
    question TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX password_resets_account_idx ON password_resets (account_id, created_at);

ALTER TABLE sessions ADD COLUMN scope TEXT NOT NULL DEFAULT 'full';
ALTER TABLE sessions ADD COLUMN refresh_hash TEXT;
