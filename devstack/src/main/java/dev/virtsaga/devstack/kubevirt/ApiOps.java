package dev.virtsaga.devstack.kubevirt;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulated controller's API calls, through a fabric8 client to the simulated API server, on
 * {@link ObjectNode}s (converted to and from {@link GenericKubernetesResource}).
 */
final class ApiOps {

  private final KubernetesClient client;

  ApiOps(KubernetesClient client) {
    this.client = client;
  }

  KubernetesClient client() {
    return client;
  }

  private MixedOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      op(KubeVirtResource r) {
    return client.genericKubernetesResources(r.context());
  }

  private Resource<GenericKubernetesResource> one(KubeVirtResource r, String ns, String name) {
    return r.namespaced() ? op(r).inNamespace(ns).withName(name) : op(r).withName(name);
  }

  static GenericKubernetesResource toResource(ObjectNode o) {
    return KubeJson.MAPPER.convertValue(o, GenericKubernetesResource.class);
  }

  static ObjectNode toNode(GenericKubernetesResource r) {
    return r == null ? null : KubeJson.MAPPER.valueToTree(r);
  }

  ObjectNode get(KubeVirtResource r, String ns, String name) {
    if (name == null) {
      return null;
    }
    return toNode(one(r, ns, name).get());
  }

  /** Every object of {@code r} (in every namespace). */
  List<ObjectNode> list(KubeVirtResource r) {
    List<ObjectNode> out = new ArrayList<>();
    GenericKubernetesResourceList list =
        r.namespaced() ? op(r).inAnyNamespace().list() : op(r).list();
    list.getItems().forEach(i -> out.add(toNode(i)));
    return out;
  }

  ObjectNode create(KubeVirtResource r, ObjectNode o) {
    GenericKubernetesResource res = toResource(o);
    return toNode(
        r.namespaced()
            ? op(r).inNamespace(KubeJson.namespace(o)).resource(res).create()
            : op(r).resource(res).create());
  }

  /** PUT of the whole object, with its resourceVersion as precondition. */
  ObjectNode update(KubeVirtResource r, ObjectNode o) {
    GenericKubernetesResource res = toResource(o);
    return toNode(
        r.namespaced()
            ? op(r).inNamespace(KubeJson.namespace(o)).resource(res).update()
            : op(r).resource(res).update());
  }

  /** PUT of the status subresource (resources with one), with its resourceVersion. */
  ObjectNode updateStatus(KubeVirtResource r, ObjectNode o) {
    GenericKubernetesResource res = toResource(o);
    return toNode(
        r.namespaced()
            ? op(r).inNamespace(KubeJson.namespace(o)).resource(res).updateStatus()
            : op(r).resource(res).updateStatus());
  }

  /** A JSON merge patch of the object. */
  ObjectNode mergePatch(KubeVirtResource r, String ns, String name, ObjectNode patch) {
    return toNode(
        one(r, ns, name).patch(PatchContext.of(PatchType.JSON_MERGE), KubeJson.write(patch)));
  }

  void delete(KubeVirtResource r, String ns, String name) {
    one(r, ns, name).delete();
  }

  List<ObjectNode> nodes() {
    List<ObjectNode> out = new ArrayList<>();
    client.nodes().list().getItems().forEach(n -> out.add(KubeJson.MAPPER.valueToTree(n)));
    return out;
  }

  /** Records a core/v1 Event about {@code involved}, as virt-controller does. */
  void event(KubeVirtResource r, ObjectNode involved, String type, String reason, String message) {
    String ns = KubeJson.namespace(involved);
    String name = KubeJson.name(involved);
    String now = KubeJson.now();
    client
        .v1()
        .events()
        .inNamespace(ns)
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withName(name + "." + Long.toHexString(System.nanoTime()))
                .withNamespace(ns)
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion(r.apiVersion())
                .withKind(r.kind())
                .withName(name)
                .withNamespace(ns)
                .withUid(KubeJson.uid(involved))
                .withResourceVersion(KubeJson.text(involved, "metadata", "resourceVersion"))
                .endInvolvedObject()
                .withType(type)
                .withReason(reason)
                .withMessage(message)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .withNewSource()
                .withComponent("virt-controller")
                .endSource()
                .withReportingComponent("virt-controller")
                .build())
        .create();
  }
}
