package dev.virtsaga.devstack.kubevirt;

import com.fasterxml.jackson.databind.JsonNode;

/** An HTTP answer of the simulated API: a status code and a JSON body (or none). */
record Reply(int code, String body) {

  static Reply json(int code, JsonNode body) {
    return new Reply(code, KubeJson.write(body));
  }

  /** A failure {@code Status}; its {@code code} is the HTTP status. */
  static Reply status(JsonNode status) {
    return new Reply(status.path("code").asInt(500), KubeJson.write(status));
  }

  static Reply empty(int code) {
    return new Reply(code, null);
  }
}
