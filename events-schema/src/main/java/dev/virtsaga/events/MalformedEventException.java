package dev.virtsaga.events;

/** A record that cannot be read as the event it claims to be; consumers send it to the DLQ. */
public class MalformedEventException extends RuntimeException {
  public MalformedEventException(String message) {
    super(message);
  }

  public MalformedEventException(String message, Throwable cause) {
    super(message, cause);
  }
}
