-- reconfigure: the spec the VM gets when the operation succeeds (JSON VmSpec)
alter table vm add column op_target text;
