package dev.virtsaga.devstack.kubevirt;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Direct access to the simulated API server's object store, for the parts of the server itself
 * (admission, virt-api subresources): no HTTP, no admission, no faults; writes still bump
 * resourceVersions and reach watchers.
 */
interface Store {

  /** The object at {@code path} ({@code /apis/g/v/namespaces/ns/plural/name}), or null. */
  ObjectNode get(String path);

  /** The objects of a collection path ({@code /apis/g/v/[namespaces/ns/]plural}). */
  List<ObjectNode> list(String collectionPath);

  /**
   * Replaces the object at {@code path} (append {@code /status} to write only the status); the
   * object's {@code metadata.resourceVersion} is a precondition.
   *
   * @throws StoreException with code 409 when the object changed meanwhile, 404 when it is gone
   */
  ObjectNode put(String path, ObjectNode object);

  /** Creates {@code object} in the collection at {@code collectionPath}. */
  ObjectNode create(String collectionPath, ObjectNode object);

  /** A write the store refused, with the API status it answered. */
  final class StoreException extends RuntimeException {
    private final int code;

    StoreException(int code, String body) {
      super(code + " " + body);
      this.code = code;
    }

    int code() {
      return code;
    }
  }
}
