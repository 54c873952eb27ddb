package dev.virtsaga.devstack.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** Test fixtures: KubeVirt objects as a client would write them, and reading them back. */
final class KubeVirtObjects {

  private static final AtomicInteger SEQ = new AtomicInteger();

  private KubeVirtObjects() {}

  /** A unique DNS-label name. */
  static String name(String prefix) {
    return prefix + "-" + SEQ.incrementAndGet();
  }

  static GenericKubernetesResource parse(String json) {
    return Serialization.unmarshal(json, GenericKubernetesResource.class);
  }

  /** A small VM (1 core, 128Mi, a container disk, the pod network). */
  static GenericKubernetesResource vm(String name, String runStrategy) {
    return parse(
        """
        {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine",
         "metadata":{"name":"%s","labels":{"app":"%s","team":"blue"},"annotations":{"note":"x"}},
         "spec":{"runStrategy":"%s",
          "template":{"metadata":{"labels":{"kubevirt.io/domain":"%s"}},
           "spec":{"domain":{"cpu":{"cores":1},"resources":{"requests":{"memory":"128Mi"}},
             "devices":{"disks":[{"name":"rootdisk","disk":{"bus":"virtio"}}],
                        "interfaces":[{"name":"default","masquerade":{}}]}},
            "networks":[{"name":"default","pod":{}}],
            "volumes":[{"name":"rootdisk","containerDisk":{"image":"quay.io/containerdisks/fedora:40"}}]}}}}
        """
            .formatted(name, name, runStrategy, name));
  }

  static GenericKubernetesResource create(
      KubernetesClient client, KubeVirtResource r, GenericKubernetesResource o) {
    return client
        .genericKubernetesResources(r.context())
        .inNamespace("default")
        .resource(o)
        .create();
  }

  static GenericKubernetesResource get(KubernetesClient client, KubeVirtResource r, String name) {
    return r.namespaced()
        ? client.genericKubernetesResources(r.context()).inNamespace("default").withName(name).get()
        : client.genericKubernetesResources(r.context()).withName(name).get();
  }

  /** The value at a dotted path ({@code status.printableStatus}, {@code spec.x.0.y}). */
  @SuppressWarnings("unchecked")
  static Object at(GenericKubernetesResource o, String path) {
    if (o == null) {
      return null;
    }
    Object current = Serialization.jsonMapper().convertValue(o, Map.class);
    for (String p : path.split("\\.")) {
      if (current instanceof Map<?, ?> m) {
        current = m.get(p);
      } else if (current instanceof java.util.List<?> l && p.matches("\\d+")) {
        int i = Integer.parseInt(p);
        current = i < l.size() ? l.get(i) : null;
      } else {
        return null;
      }
    }
    return current;
  }

  /** Sets (or, with null, removes) the value at a dotted path under spec/status/... . */
  @SuppressWarnings("unchecked")
  static GenericKubernetesResource set(GenericKubernetesResource o, String path, Object value) {
    String[] parts = path.split("\\.");
    Map<String, Object> current = o.getAdditionalProperties();
    for (int i = 0; i < parts.length - 1; i++) {
      current =
          (Map<String, Object>)
              current.computeIfAbsent(parts[i], k -> new java.util.LinkedHashMap<>());
    }
    if (value == null) {
      current.remove(parts[parts.length - 1]);
    } else {
      current.put(parts[parts.length - 1], value);
    }
    return o;
  }

  static String text(GenericKubernetesResource o, String path) {
    Object v = at(o, path);
    return v == null ? null : String.valueOf(v);
  }

  /**
   * fabric8's {@code edit}, retried on 409: its JSON patch carries the resourceVersion it read, and
   * the simulated controller writes VMs (status, finalizer) concurrently, as virt-controller does.
   */
  static GenericKubernetesResource edit(
      KubernetesClient client,
      KubeVirtResource r,
      String name,
      java.util.function.UnaryOperator<GenericKubernetesResource> change) {
    for (int attempt = 0; ; attempt++) {
      try {
        return client
            .genericKubernetesResources(r.context())
            .inNamespace("default")
            .withName(name)
            .edit(change);
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 20) {
          throw e;
        }
      }
    }
  }

  /** Waits (bounded) until the object satisfies {@code condition}; returns it then. */
  static GenericKubernetesResource awaitObject(
      KubernetesClient client,
      KubeVirtResource r,
      String name,
      Predicate<GenericKubernetesResource> condition) {
    GenericKubernetesResource[] last = new GenericKubernetesResource[1];
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(25))
        .untilAsserted(
            () -> {
              last[0] = get(client, r, name);
              boolean ok;
              try {
                ok = condition.test(last[0]);
              } catch (RuntimeException e) {
                ok = false; // a field not there yet
              }
              assertThat(ok)
                  .as(
                      "%s %s: %s",
                      r.kind(),
                      name,
                      last[0] == null ? "absent" : last[0].getAdditionalProperties().get("status"))
                  .isTrue();
            });
    return last[0];
  }

  static GenericKubernetesResource awaitField(
      KubernetesClient client, KubeVirtResource r, String name, String path, String value) {
    return awaitObject(client, r, name, o -> o != null && Objects.equals(value, text(o, path)));
  }

  static void awaitGone(KubernetesClient client, KubeVirtResource r, String name) {
    awaitObject(client, r, name, Objects::isNull);
  }
}
