package dev.virtsaga.providers.vsphere;

import java.util.Map;
import java.util.Optional;
import org.w3c.dom.Element;

/**
 * The properties of one managed object, as {@code RetrievePropertiesEx} returned them. The values
 * are DOM elements of the parsed answer: read them on one thread at a time (DOM reads are not
 * thread-safe).
 *
 * @param obj the object
 * @param values each property path that has a value → its {@code <val>} element (type in {@code
 *     xsi:type}, nested values as child elements)
 * @param missing each path the server could not read → the fault type it named for it
 */
public record ObjectContent(
    ManagedObjectReference obj, Map<String, Element> values, Map<String, String> missing) {

  public ObjectContent {
    values = Map.copyOf(values);
    missing = Map.copyOf(missing);
  }

  /** The text of a simple property ({@code runtime.powerState} → {@code poweredOff}). */
  public Optional<String> text(String path) {
    Element val = values.get(path);
    return val == null ? Optional.empty() : Optional.of(val.getTextContent());
  }

  /** The value of an integer property ({@code config.hardware.numCPU}). */
  public Optional<Long> number(String path) {
    return text(path).map(String::trim).map(Long::parseLong);
  }
}
