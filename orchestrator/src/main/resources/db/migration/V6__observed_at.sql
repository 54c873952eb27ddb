-- When the provider's power was last seen (watcher observation or task outcome): observations
-- older than this are stale and ignored.
alter table vm add column observed_at timestamptz;
-- Provider health changes mark every live VM of the provider (ProviderReachable).
create index vm_provider on vm (provider) where state <> 'DELETED';
