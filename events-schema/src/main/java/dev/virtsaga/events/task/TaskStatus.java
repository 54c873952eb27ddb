package dev.virtsaga.events.task;

/** The phase a task event reports. */
public enum TaskStatus {
  ACCEPTED,
  PROGRESS,
  SUCCEEDED,
  FAILED
}
