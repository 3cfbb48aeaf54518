-- When each confirmation arrived, so that a share takes at most a few per
-- rolling hour (issue 18, item 3). Rows from before this migration count as
-- arrived at the epoch: they never count against an hour.
ALTER TABLE share_confirmations ADD COLUMN at_ms bigint NOT NULL DEFAULT 0;
CREATE INDEX share_confirmations_share_time ON share_confirmations (id_hash, at_ms);
