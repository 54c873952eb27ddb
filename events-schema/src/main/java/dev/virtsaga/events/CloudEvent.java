package dev.virtsaga.events;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A CloudEvents 1.0 event as carried in Kafka binary mode: attributes in {@code ce_*} headers, JSON
 * data in the record value.
 *
 * @param extensions the extension attributes: {@code sequence}, {@code operationid}, {@code
 *     tenantid}, {@code provider}, {@code requestid}, {@code traceparent}
 */
public record CloudEvent(
    String id,
    String source,
    String type,
    String subject,
    Instant time,
    Map<String, String> extensions,
    String data) {

  public static final String SPEC_VERSION = "1.0";
  public static final String CONTENT_TYPE = "application/json";
  public static final String EXT_SEQUENCE = "sequence";
  public static final String EXT_OPERATION_ID = "operationid";
  public static final String EXT_TENANT_ID = "tenantid";
  public static final String EXT_PROVIDER = "provider";
  public static final String EXT_REQUEST_ID = "requestid";
  public static final String EXT_TRACEPARENT = "traceparent";

  public CloudEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(type, "type");
    extensions = extensions == null ? Map.of() : Map.copyOf(extensions);
  }

  /** A new event whose data is {@code payload} serialised as JSON, of the payload's own type. */
  public static CloudEvent of(
      String source, String subject, Object payload, Map<String, String> extensions) {
    return new CloudEvent(
        UUID.randomUUID().toString(),
        source,
        EventCatalog.typeOf(payload),
        subject,
        Instant.now(),
        extensions,
        Json.write(payload));
  }

  public String extension(String name) {
    return extensions.get(name);
  }

  /** The data read as the record class registered for this event's type. */
  public Object payload() {
    return Json.read(data, EventCatalog.classOf(type));
  }

  public <T> T payload(Class<T> expected) {
    Object p = payload();
    if (!expected.isInstance(p)) {
      throw new MalformedEventException(
          "event type " + type + " does not carry a " + expected.getSimpleName());
    }
    return expected.cast(p);
  }
}
