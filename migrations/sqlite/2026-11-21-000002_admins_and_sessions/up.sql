-- Helpdesk administrators, and sessions: every access token carries its session id, and a
-- token is honoured only while its session is neither expired nor revoked (logout, password
-- change, disabled account).

CREATE TABLE admins (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL CONSTRAINT admins_username_key UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    disabled_at TIMESTAMP
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    subject_type TEXT NOT NULL CHECK (subject_type IN ('admin', 'account')),
    subject_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX sessions_subject_idx ON sessions (subject_type, subject_id);
