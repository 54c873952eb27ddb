package dev.virtsaga.providers.kubevirt;

import static dev.virtsaga.providers.kubevirt.KubeVirtMapper.VM_ID_LABEL;

import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.smallrye.mutiny.Uni;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One KubeVirt cluster as the adapter's parts use it: the fabric8 client and the settings, the APIs
 * of the kinds, the VM lookups, the subresource calls, and how a blocking call or a wait runs (on
 * the executor, typed failures, bounded by a timeout).
 */
final class KubeVirtCluster {
  private final KubeVirtSettings settings;
  private final KubernetesClient client;
  private final Executor executor;

  KubeVirtCluster(KubeVirtSettings settings, Executor executor) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.executor = Objects.requireNonNull(executor, "executor");
    this.client = new KubernetesClientBuilder().withConfig(settings.clientConfig()).build();
  }

  KubeVirtSettings settings() {
    return settings;
  }

  KubernetesClient client() {
    return client;
  }

  Executor executor() {
    return executor;
  }

  /** The label value check of names and ids; a bad one is INVALID_SPEC. */
  static final String LABEL_VALUE = "([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]";

  NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      api(ResourceDefinitionContext c) {
    return client.genericKubernetesResources(c).inNamespace(settings.namespace());
  }

  NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      vms() {
    return api(KubeVirtApi.VM);
  }

  NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      snapshotsApi() {
    return api(KubeVirtApi.VM_SNAPSHOT);
  }

  NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      restoresApi() {
    return api(KubeVirtApi.VM_RESTORE);
  }

  NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      clonesApi() {
    return api(KubeVirtApi.VM_CLONE);
  }

  NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      migrationsApi() {
    return api(KubeVirtApi.MIGRATION);
  }

  GenericKubernetesResource vmiOf(String name) {
    return api(KubeVirtApi.VMI).withName(name).get();
  }

  Map<String, GenericKubernetesResource> vmisByName() {
    Map<String, GenericKubernetesResource> out = new LinkedHashMap<>();
    for (GenericKubernetesResource vmi :
        api(KubeVirtApi.VMI).withLabel(VM_ID_LABEL).list().getItems()) {
      out.put(KubeVirtMapper.name(vmi), vmi);
    }
    return out;
  }

  /**
   * The VM labelled {@code vmId}: by its name when given (and its label matches), else by label.
   */
  Uni<Optional<GenericKubernetesResource>> findVm(String vmId, String providerRef) {
    return blocking(
        "find " + vmId,
        () -> {
          if (providerRef != null && !providerRef.isBlank()) {
            GenericKubernetesResource byName = vms().withName(providerRef).get();
            if (byName != null && vmId.equals(KubeVirtMapper.vmId(byName))) {
              return Optional.of(byName);
            }
          }
          if (!vmId.matches(LABEL_VALUE)) {
            return Optional.<GenericKubernetesResource>empty();
          }
          return vms().withLabel(VM_ID_LABEL, vmId).list().getItems().stream().findFirst();
        });
  }

  Uni<GenericKubernetesResource> existingVm(String vmId, String providerRef) {
    return findVm(vmId, providerRef)
        .map(
            found ->
                found.orElseThrow(
                    () -> ProviderException.notFound("no VirtualMachine labelled " + vmId)));
  }

  /** {@code PUT /apis/subresources.kubevirt.io/v1/namespaces/<ns>/<kind>/<name>/<verb>}. */
  Uni<Void> subresource(String kind, String name, String verb, String body) {
    String url =
        settings.masterUrl().replaceAll("/+$", "")
            + "/apis/subresources.kubevirt.io/v1/namespaces/"
            + settings.namespace()
            + "/"
            + kind
            + "/"
            + name
            + "/"
            + verb;
    HttpRequest request =
        client
            .getHttpClient()
            .newHttpRequestBuilder()
            .uri(url)
            .method("PUT", "application/json", body)
            .build();
    return Uni.createFrom()
        .completionStage(() -> client.getHttpClient().sendAsync(request, String.class))
        .map(
            (HttpResponse<String> response) -> {
              int code = response.code();
              if (code / 100 == 2) {
                return null;
              }
              String text = response.body() == null ? "" : response.body();
              String message = verb + " of " + name + ": HTTP " + code + " " + statusMessage(text);
              if (code == 409 && text.contains("already")) {
                return null; // "VM is already running" / "already stopped": the target state
              }
              throw new ProviderException(KubeVirtErrors.typeOf(code, null), message);
            })
        .onFailure()
        .transform(f -> KubeVirtErrors.of(verb + " of " + name, f))
        .replaceWithVoid();
  }

  static String statusMessage(String body) {
    try {
      Object message = Serialization.unmarshal(body, Map.class).get("message");
      return message == null ? body : message.toString();
    } catch (RuntimeException e) {
      return body;
    }
  }

  static String annotation(GenericKubernetesResource r, String key) {
    return Tree.text(Tree.of(r), "metadata", "annotations", key).orElse(null);
  }

  static void requireLabelValue(String value, String what) {
    if (!value.matches(LABEL_VALUE)) {
      throw ProviderException.invalidSpec(
          what + " must be a Kubernetes label value (63 of [A-Za-z0-9_.-]): " + value);
    }
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs a blocking fabric8 call on the executor; failures typed. */
  <T> Uni<T> blocking(String what, Supplier<T> call) {
    return Uni.createFrom()
        .item(call)
        .runSubscriptionOn(executor)
        .onFailure()
        .transform(f -> KubeVirtErrors.of(what, f));
  }

  /**
   * Reads until {@code done} holds (it may throw a ProviderException to end the wait with it),
   * every pollInterval, for at most {@code limit}; then TIMEOUT.
   */
  <T> Uni<T> until(String what, Supplier<T> read, Predicate<T> done, Duration limit) {
    return poll(what, read, done)
        .ifNoItem()
        .after(limit)
        .failWith(
            () -> new ProviderException(ErrorType.TIMEOUT, what + " not done within " + limit));
  }

  <T> Uni<T> poll(String what, Supplier<T> read, Predicate<T> done) {
    return blocking(what, read)
        .chain(
            value ->
                done.test(value)
                    ? Uni.createFrom().item(value)
                    : Uni.createFrom()
                        .voidItem()
                        .onItem()
                        .delayIt()
                        .by(settings.timeouts().pollInterval())
                        .chain(() -> poll(what, read, done)));
  }

  static Uni<Void> done() {
    return Uni.createFrom().voidItem();
  }

  static Uni<Void> conflict(String message) {
    return Uni.createFrom().failure(ProviderException.conflict(message));
  }

  static Predicate<Throwable> type(ErrorType type) {
    return f -> f instanceof ProviderException pe && pe.type() == type;
  }
}
