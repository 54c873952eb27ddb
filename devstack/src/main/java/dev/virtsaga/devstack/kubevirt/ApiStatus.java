package dev.virtsaga.devstack.kubevirt;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code meta.k8s.io/v1 Status} bodies in the shapes the Kubernetes API server (and KubeVirt's
 * virt-api and admission webhooks behind it) answer with.
 */
final class ApiStatus {

  /** One entry of {@code details.causes}: {@code reason} is e.g. {@code FieldValueInvalid}. */
  record Cause(String reason, String field, String message) {

    static Cause required(String field, String message) {
      return new Cause("FieldValueRequired", field, message);
    }

    static Cause invalid(String field, String message) {
      return new Cause("FieldValueInvalid", field, message);
    }

    static Cause notSupported(String field, String message) {
      return new Cause("FieldValueNotSupported", field, message);
    }

    static Cause notFound(String field, String message) {
      return new Cause("FieldValueNotFound", field, message);
    }

    static Cause duplicate(String field, String message) {
      return new Cause("FieldValueDuplicate", field, message);
    }
  }

  private ApiStatus() {}

  static ObjectNode failure(int code, String reason, String message) {
    ObjectNode s = KubeJson.object();
    s.put("kind", "Status");
    s.put("apiVersion", "v1");
    s.putObject("metadata");
    s.put("status", "Failure");
    s.put("message", message);
    s.put("reason", reason);
    s.put("code", code);
    return s;
  }

  static ObjectNode success() {
    ObjectNode s = KubeJson.object();
    s.put("kind", "Status");
    s.put("apiVersion", "v1");
    s.putObject("metadata");
    s.put("status", "Success");
    return s;
  }

  private static ObjectNode details(ObjectNode status, String name, String group, String kind) {
    ObjectNode d = status.putObject("details");
    if (name != null) {
      d.put("name", name);
    }
    if (group != null && !group.isEmpty()) {
      d.put("group", group);
    }
    if (kind != null) {
      d.put("kind", kind);
    }
    return d;
  }

  private static String qualified(String resource, String group) {
    return group == null || group.isEmpty() ? resource : resource + "." + group;
  }

  /** {@code <resource>.<group> "<name>" not found}, as for a GET of a missing object. */
  static ObjectNode notFound(String resource, String group, String name) {
    ObjectNode s =
        failure(404, "NotFound", qualified(resource, group) + " \"" + name + "\" not found");
    details(s, name, group, resource);
    return s;
  }

  /** The answer for a URL the server does not serve at all. */
  static ObjectNode pageNotFound() {
    ObjectNode s = failure(404, "NotFound", "the server could not find the requested resource");
    ObjectNode cause = s.putObject("details").putArray("causes").addObject();
    cause.put("reason", "UnexpectedServerResponse");
    cause.put("message", "404 page not found");
    return s;
  }

  static ObjectNode alreadyExists(String resource, String group, String name) {
    ObjectNode s =
        failure(
            409, "AlreadyExists", qualified(resource, group) + " \"" + name + "\" already exists");
    details(s, name, group, resource);
    return s;
  }

  /** {@code Operation cannot be fulfilled on <resource>.<group> "<name>": <why>}. */
  static ObjectNode conflict(String resource, String group, String name, String why) {
    ObjectNode s =
        failure(
            409,
            "Conflict",
            "Operation cannot be fulfilled on "
                + qualified(resource, group)
                + " \""
                + name
                + "\": "
                + why);
    details(s, name, group, resource);
    return s;
  }

  /**
   * The API server's own validation failure (schema, name): {@code <Kind>.<group> "<name>" is
   * invalid: <field>: <message>} with every cause listed.
   */
  static ObjectNode invalid(String kind, String group, String name, List<Cause> causes) {
    String joined =
        causes.stream().map(c -> c.field() + ": " + c.message()).collect(Collectors.joining(", "));
    if (causes.size() > 1) {
      joined = "[" + joined + "]";
    }
    ObjectNode s =
        failure(
            422,
            "Invalid",
            qualified(kind, group) + " \"" + nameOrEmpty(name) + "\" is invalid: " + joined);
    ObjectNode d = details(s, name, group, kind);
    addCauses(d, causes);
    return s;
  }

  /**
   * A validating admission webhook's denial as the API server passes it on: {@code admission
   * webhook "<webhook>" denied the request: <message>[, <message>...]}, reason {@code Invalid},
   * code 422, with the webhook's causes.
   */
  static ObjectNode webhookDenied(String webhook, List<Cause> causes) {
    String joined = causes.stream().map(Cause::message).collect(Collectors.joining(", "));
    ObjectNode s =
        failure(
            422, "Invalid", "admission webhook \"" + webhook + "\" denied the request: " + joined);
    addCauses(s.putObject("details"), causes);
    return s;
  }

  private static void addCauses(ObjectNode details, List<Cause> causes) {
    ArrayNode a = details.putArray("causes");
    for (Cause c : causes) {
      ObjectNode o = a.addObject();
      o.put("reason", c.reason());
      o.put("message", c.message());
      if (c.field() != null) {
        o.put("field", c.field());
      }
    }
  }

  static ObjectNode badRequest(String message) {
    return failure(400, "BadRequest", message);
  }

  static ObjectNode methodNotAllowed() {
    return failure(
        405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
  }

  static ObjectNode unsupportedMediaType(String contentType) {
    return failure(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: "
            + "application/json-patch+json, application/merge-patch+json (got "
            + contentType
            + ")");
  }

  static ObjectNode serviceUnavailable() {
    return failure(
        503, "ServiceUnavailable", "the server is currently unable to handle the request");
  }

  static ObjectNode internalError(String message) {
    return failure(500, "InternalError", "Internal error occurred: " + message);
  }

  /** The {@code ERROR} event object of a watch whose resourceVersion is gone. */
  static ObjectNode expired(String message) {
    return failure(410, "Expired", message);
  }

  private static String nameOrEmpty(String name) {
    return name == null ? "" : name;
  }
}
