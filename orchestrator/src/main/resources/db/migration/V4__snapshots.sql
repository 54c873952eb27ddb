-- Snapshots are sub-resources of the VM (JSON list of SnapshotView); op_subject names the one a
-- snapshot operation works on.
alter table vm add column snapshots text not null default '[]';
alter table vm add column op_subject text;
