-- Issue 4: reads of a citizen's record made offline reach the audit log
-- on reconnect under the desktop's own id, written once however often
-- they are sent.
ALTER TABLE audit ADD COLUMN op_id TEXT COLLATE "C";
CREATE UNIQUE INDEX audit_op_id ON audit (op_id) WHERE op_id IS NOT NULL;
