-- The inbox is purged by age (InboxJanitor).
create index processed_event_processed_at on processed_event (processed_at);
