DROP INDEX outbox_messages_reference_idx;
ALTER TABLE outbox_messages DROP COLUMN delivered_at;
ALTER TABLE outbox_messages DROP COLUMN delivery_status;
DROP TABLE mailbox_memberships;
DROP TABLE accounts;
DROP TABLE shared_mailboxes;
