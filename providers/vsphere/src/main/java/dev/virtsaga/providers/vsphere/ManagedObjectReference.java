package dev.virtsaga.providers.vsphere;

import java.util.Objects;

/**
 * A vim25 managed object reference: the object's type and its server-side id, e.g. {@code
 * VirtualMachine:vm-42}.
 *
 * @param type the managed object type ({@code VirtualMachine}, {@code HostSystem}, …)
 * @param value the id the server gave it ({@code vm-42})
 */
public record ManagedObjectReference(String type, String value) {

  public ManagedObjectReference {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(value, "value");
    if (type.isBlank() || value.isBlank()) {
      throw new IllegalArgumentException("a managed object reference needs a type and a value");
    }
  }

  /** {@code type:value}, the form used in logs and messages. */
  @Override
  public String toString() {
    return type + ":" + value;
  }
}
