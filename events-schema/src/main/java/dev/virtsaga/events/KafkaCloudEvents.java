package dev.virtsaga.events;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** CloudEvents Kafka protocol binding, binary content mode. */
public final class KafkaCloudEvents {
  private static final String PREFIX = "ce_";

  private KafkaCloudEvents() {}

  public static Headers toHeaders(CloudEvent event) {
    RecordHeaders headers = new RecordHeaders();
    put(headers, "ce_specversion", CloudEvent.SPEC_VERSION);
    put(headers, "ce_id", event.id());
    put(headers, "ce_source", event.source());
    put(headers, "ce_type", event.type());
    if (event.subject() != null) {
      put(headers, "ce_subject", event.subject());
    }
    if (event.time() != null) {
      put(headers, "ce_time", event.time().toString());
    }
    put(headers, "content-type", CloudEvent.CONTENT_TYPE);
    event.extensions().forEach((k, v) -> put(headers, PREFIX + k, v));
    return headers;
  }

  /**
   * Reads a binary-mode event.
   *
   * @throws MalformedEventException when a required attribute is missing or malformed
   */
  public static CloudEvent fromRecord(Headers headers, String value) {
    Map<String, String> attrs = new HashMap<>();
    for (Header h : headers) {
      if (h.key().startsWith(PREFIX) && h.value() != null) {
        attrs.put(
            h.key().substring(PREFIX.length()), new String(h.value(), StandardCharsets.UTF_8));
      }
    }
    if (!CloudEvent.SPEC_VERSION.equals(attrs.remove("specversion"))) {
      throw new MalformedEventException("not a CloudEvents 1.0 record (ce_specversion)");
    }
    String id = require(attrs, "id");
    String source = require(attrs, "source");
    String type = require(attrs, "type");
    String subject = attrs.remove("subject");
    String time = attrs.remove("time");
    Instant at;
    try {
      at = time == null ? null : Instant.parse(time);
    } catch (DateTimeParseException e) {
      throw new MalformedEventException("ce_time is not an RFC 3339 timestamp: " + time, e);
    }
    if (value == null) {
      throw new MalformedEventException("event " + id + " has no data");
    }
    return new CloudEvent(id, source, type, subject, at, attrs, value);
  }

  private static String require(Map<String, String> attrs, String name) {
    String v = attrs.remove(name);
    if (v == null || v.isBlank()) {
      throw new MalformedEventException("missing CloudEvents attribute ce_" + name);
    }
    return v;
  }

  private static void put(Headers headers, String key, String value) {
    headers.add(key, value.getBytes(StandardCharsets.UTF_8));
  }
}
