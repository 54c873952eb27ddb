-- Clone and disk-export operations keep their arguments (JSON OperationArgs) while they run, so a
-- compensation, or a delete that pre-empts them, knows what to undo.
alter table vm add column op_args text;
