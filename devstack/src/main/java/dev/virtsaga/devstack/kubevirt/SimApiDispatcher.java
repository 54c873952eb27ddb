package dev.virtsaga.devstack.kubevirt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virtsaga.devstack.kubevirt.Discovery.ResourceType;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatch;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The simulated Kubernetes API server: fabric8's {@link KubernetesCrudDispatcher} (the in-memory
 * object store with list, get, create, update, patch, delete and label/field selectors) wrapped
 * with what a real API server with KubeVirt installed does and the CRUD mock does not:
 *
 * <ul>
 *   <li>discovery ({@code /api}, {@code /apis}, per group and version) of exactly the served
 *       resources, and 404 for the others;
 *   <li>virt-api's {@code subresources.kubevirt.io} ({@link Subresources});
 *   <li>admission ({@link Admission}) with the API server's 422 {@code Status} shapes;
 *   <li>server-side dry run ({@code ?dryRun=All}) of create, update, patch and delete;
 *   <li>watches with resourceVersion semantics, bookmarks and 410 ({@link WatchHub});
 *   <li>{@code Status} bodies on 404/409, typed lists ({@code VirtualMachineList}), {@code
 *       generateName}, namespaces that must exist, merge patches with RFC 7386 semantics;
 *   <li>fault injection: 503, no answer, expired watches ({@link KubeVirtFaults}).
 * </ul>
 *
 * Requests carrying the header {@value #ROLE_HEADER} are the simulator's own: {@value
 * #ROLE_CONTROLLER} (the simulated virt-controller: no faults, no admission) or {@value
 * #ROLE_INSPECTOR} (the test's inspection client: no faults).
 */
final class SimApiDispatcher extends KubernetesCrudDispatcher implements Store {

  static final String ROLE_HEADER = "X-Virtsaga-Kubevirt-Sim";
  static final String ROLE_CONTROLLER = "controller";
  static final String ROLE_INSPECTOR = "inspector";

  private static final Logger LOG = Logger.getLogger(SimApiDispatcher.class.getName());
  private static final String JSON = "application/json";

  private final Discovery discovery;
  private final KubeVirtFaults faults;
  private final WatchHub watches;
  private final Admission admission;
  private final Subresources subresources;

  SimApiDispatcher(
      Discovery discovery, KubeVirtFaults faults, int watchHistory, Duration bookmarkInterval) {
    super(contexts(discovery));
    this.discovery = discovery;
    this.faults = faults;
    this.watches = new WatchHub(watchHistory, bookmarkInterval);
    this.admission = new Admission(this, discovery);
    this.subresources = new Subresources(this);
    faults.openWatchExpirer(watches::expireOpen);
    faults.onApiDown(watches::dropClients);
  }

  private static List<CustomResourceDefinitionContext> contexts(Discovery discovery) {
    List<CustomResourceDefinitionContext> out = new ArrayList<>();
    for (ResourceType t : discovery.types()) {
      if (t.kubevirt() != null) {
        out.add(
            new CustomResourceDefinitionContext.Builder()
                .withGroup(t.group())
                .withVersion(t.version())
                .withKind(t.kind())
                .withPlural(t.plural())
                .withScope(t.namespaced() ? "Namespaced" : "Cluster")
                .withStatusSubresource(t.statusSubresource())
                .build());
      }
    }
    return out;
  }

  WatchHub watches() {
    return watches;
  }

  // ---- request handling ----

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    try {
      return handle(request);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "request " + request + " failed", e);
      return toResponse(Reply.status(ApiStatus.internalError(String.valueOf(e.getMessage()))));
    }
  }

  private MockResponse handle(RecordedRequest request) {
    String role = request.getHeader(ROLE_HEADER);
    boolean client = role == null;
    if (client) {
      long hang = faults.unresponsiveNanosLeft();
      if (hang > 0) {
        // Never answer: the status line waits for the body, which waits for the timer.
        return toResponse(Reply.status(ApiStatus.serviceUnavailable()))
            .setBodyDelay(Duration.ofNanos(Math.min(hang, Duration.ofMinutes(10).toNanos())));
      }
      if (faults.isUnavailable()) {
        return toResponse(Reply.status(ApiStatus.serviceUnavailable()));
      }
    }
    ApiPath p = ApiPath.parse(request.getPath());
    String method = request.getMethod().toUpperCase(Locale.ROOT);
    String body = request.getBody() == null ? "" : request.getBody().readUtf8();
    String contentType = request.getHeader("Content-Type");
    boolean controller = ROLE_CONTROLLER.equals(role);

    Reply meta = metadata(method, p);
    if (meta != null) {
      return toResponse(meta);
    }
    if (KubeVirtResource.SUBRESOURCES.equals(p.group())) {
      if (!discovery.serves(KubeVirtResource.KUBEVIRT)) {
        return toResponse(Reply.status(ApiStatus.pageNotFound()));
      }
      String upgrade = request.getHeader("Upgrade");
      return toResponse(
          subresources.handle(
              method, p, body, upgrade != null && upgrade.equalsIgnoreCase("websocket")));
    }
    if (p.group() == null || p.version() == null || p.plural() == null) {
      return toResponse(Reply.status(ApiStatus.pageNotFound()));
    }
    ResourceType type = discovery.find(p.group(), p.version(), p.plural()).orElse(null);
    if (type == null || type.namespaced() == false && p.namespace() != null) {
      return toResponse(Reply.status(ApiStatus.pageNotFound()));
    }
    if (p.subresource() != null
        && !("status".equals(p.subresource()) && type.statusSubresource())) {
      return toResponse(Reply.status(ApiStatus.pageNotFound()));
    }
    if ("GET".equals(method) && p.watch()) {
      String upgrade = request.getHeader("Upgrade");
      if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
        return toResponse(
            Reply.status(
                ApiStatus.badRequest(
                    "this simulated API server serves watches over WebSocket only (as fabric8's"
                        + " client watches); streamed HTTP watches are not simulated")));
      }
      return watch(p, type, client);
    }
    Reply reply =
        switch (method) {
          case "GET" -> get(p, type);
          case "POST" -> create(p, type, body, controller);
          case "PUT" -> update(p, type, body, controller);
          case "PATCH" -> patch(p, type, body, contentType, controller);
          case "DELETE" -> delete(p, type);
          default -> Reply.status(ApiStatus.methodNotAllowed());
        };
    return toResponse(reply);
  }

  private Reply metadata(String method, ApiPath p) {
    if (!"GET".equals(method)) {
      return null;
    }
    String path =
        p.path().endsWith("/") && p.path().length() > 1
            ? p.path().substring(0, p.path().length() - 1)
            : p.path();
    if (path.equals("/") || path.isEmpty()) {
      ObjectNode root = KubeJson.object();
      ArrayNode paths = root.putArray("paths");
      paths.add("/api");
      paths.add("/api/v1");
      paths.add("/apis");
      for (String g : discovery.groups()) {
        paths.add("/apis/" + g);
      }
      paths.add("/version");
      return Reply.json(200, root);
    }
    if (path.equals("/version")) {
      return Reply.json(200, Discovery.version());
    }
    if (path.equals("/healthz") || path.equals("/readyz") || path.equals("/livez")) {
      return new Reply(200, "ok");
    }
    if (path.equals("/api")) {
      return Reply.json(200, discovery.apiVersions());
    }
    if (path.equals("/apis")) {
      return Reply.json(200, discovery.groupList());
    }
    if ("apis".equals(p.prefix()) && p.group() != null && p.version() == null) {
      ObjectNode g = discovery.group(p.group());
      return g == null ? Reply.status(ApiStatus.pageNotFound()) : Reply.json(200, g);
    }
    if (("api".equals(p.prefix()) || "apis".equals(p.prefix()))
        && p.version() != null
        && p.plural() == null) {
      ObjectNode list = discovery.resourceList(p.group(), p.version());
      return list == null ? Reply.status(ApiStatus.pageNotFound()) : Reply.json(200, list);
    }
    return null;
  }

  private MockResponse watch(ApiPath p, ResourceType type, boolean client) {
    AttributeSet query = attributeExtractor.fromPath(p.raw());
    boolean expire = client && faults.consumeWatchExpiry();
    WatchHub.Stream stream;
    // Snapshot and registration under the hub's lock: no change can slip in between.
    synchronized (watches) {
      List<Map.Entry<AttributeSet, String>> current;
      synchronized (map) {
        current = new ArrayList<>(map.entrySet());
      }
      stream =
          watches.open(query, type.kind(), type.apiVersion(), p.query(), client, expire, current);
    }
    return new MockResponse().setResponseCode(101).withWebSocketUpgrade(stream);
  }

  private Reply get(ApiPath p, ResourceType type) {
    MockResponse r = super.handleGet(p.raw());
    if (r.code() == 404) {
      return notFound(type, p.name());
    }
    String body = r.getBody() == null ? null : r.getBody().readUtf8();
    if (p.name() == null && body != null) {
      ObjectNode list = KubeJson.parseObject(body);
      if (list != null) {
        // The CRUD mock answers kind List, apiVersion v1; the API server a typed list.
        ObjectNode typed = KubeJson.object();
        typed.put("apiVersion", type.apiVersion());
        typed.put("kind", type.kind() + "List");
        ObjectNode meta = typed.putObject("metadata");
        meta.put("resourceVersion", KubeJson.text(list, "metadata", "resourceVersion"));
        typed.set("items", list.path("items"));
        return Reply.json(200, typed);
      }
    }
    return new Reply(r.code(), body);
  }

  private Reply notFound(ResourceType type, String name) {
    return Reply.status(ApiStatus.notFound(type.plural(), type.group(), name));
  }

  private Reply create(ApiPath p, ResourceType type, String body, boolean controller) {
    if (p.name() != null) {
      return Reply.status(ApiStatus.methodNotAllowed());
    }
    if (type.namespaced() && p.namespace() == null) {
      return Reply.status(ApiStatus.pageNotFound());
    }
    ObjectNode obj = KubeJson.parseObject(body);
    if (obj == null) {
      return Reply.status(
          ApiStatus.badRequest("the body of the request could not be decoded as a JSON object"));
    }
    Reply wrongType = checkType(obj, type);
    if (wrongType != null) {
      return wrongType;
    }
    ObjectNode meta = KubeJson.obj(obj, "metadata");
    if (type.namespaced()) {
      String ns = KubeJson.text(meta, "namespace");
      if (ns != null && !ns.equals(p.namespace())) {
        return Reply.status(
            ApiStatus.badRequest(
                "the namespace of the provided object does not match the namespace sent on the request"));
      }
      meta.put("namespace", p.namespace());
      if (get("/api/v1/namespaces/" + p.namespace()) == null) {
        return Reply.status(ApiStatus.notFound("namespaces", "", p.namespace()));
      }
    } else {
      meta.remove("namespace");
    }
    String name = KubeJson.text(meta, "name");
    String generateName = KubeJson.text(meta, "generateName");
    if ((name == null || name.isEmpty()) && generateName != null && !generateName.isEmpty()) {
      name = generateName + Admission.randomSuffix();
      meta.put("name", name);
    }
    admission.mutateCreate(type, obj);
    ObjectNode denied = controller ? null : admission.validate(type, obj, null, p.namespace());
    if (denied == null && controller) {
      // the controller's own objects still need a name
      denied = admission.validate(withoutKubeVirt(type), obj, null, p.namespace());
    }
    if (denied != null) {
      return Reply.status(denied);
    }
    String objectPath = objectPath(type, p.namespace(), name);
    if (get(objectPath) != null) {
      return Reply.status(ApiStatus.alreadyExists(type.plural(), type.group(), name));
    }
    if (p.dryRun()) {
      meta.put("uid", UUID.randomUUID().toString());
      meta.put("creationTimestamp", KubeJson.now());
      meta.put("generation", 1);
      meta.remove("resourceVersion");
      if (type.statusSubresource()) {
        obj.remove("status");
      }
      return Reply.json(201, obj);
    }
    meta.remove("resourceVersion");
    return storeWrite(HttpMethod.POST, collectionPath(type, p.namespace()), obj, type, name);
  }

  private static ResourceType withoutKubeVirt(ResourceType t) {
    return new ResourceType(
        t.group(),
        t.version(),
        t.kind(),
        t.plural(),
        t.namespaced(),
        t.statusSubresource(),
        t.shortNames(),
        null);
  }

  private static Reply checkType(ObjectNode obj, ResourceType type) {
    String apiVersion = KubeJson.text(obj, "apiVersion");
    String kind = KubeJson.text(obj, "kind");
    if (apiVersion == null) {
      obj.put("apiVersion", type.apiVersion());
    } else if (!apiVersion.equals(type.apiVersion())) {
      return Reply.status(
          ApiStatus.badRequest(
              "the API version in the data ("
                  + apiVersion
                  + ") does not match the expected API version ("
                  + type.apiVersion()
                  + ")"));
    }
    if (kind == null) {
      obj.put("kind", type.kind());
    } else if (!kind.equals(type.kind())) {
      return Reply.status(
          ApiStatus.badRequest(
              "the kind in the data ("
                  + kind
                  + ") does not match the expected kind ("
                  + type.kind()
                  + ")"));
    }
    return null;
  }

  private Reply update(ApiPath p, ResourceType type, String body, boolean controller) {
    if (p.name() == null) {
      return Reply.status(ApiStatus.methodNotAllowed());
    }
    ObjectNode obj = KubeJson.parseObject(body);
    if (obj == null) {
      return Reply.status(
          ApiStatus.badRequest("the body of the request could not be decoded as a JSON object"));
    }
    Reply wrongType = checkType(obj, type);
    if (wrongType != null) {
      return wrongType;
    }
    String rv = KubeJson.text(obj, "metadata", "resourceVersion");
    boolean unconditional = rv == null || rv.isEmpty();
    for (int attempt = 0; ; attempt++) {
      ObjectNode current = get(p.objectPath());
      if (current == null) {
        return notFound(type, p.name());
      }
      Reply reply = replace(p, type, current, obj.deepCopy(), controller);
      if (reply.code() != 409 || !unconditional || attempt >= 5) {
        return reply;
      }
    }
  }

  /**
   * Validates {@code obj} as the new state of {@code current}, then stores it (or not: dry run).
   */
  private Reply replace(
      ApiPath p, ResourceType type, ObjectNode current, ObjectNode obj, boolean controller) {
    boolean status = "status".equals(p.subresource());
    ObjectNode result = resultOfUpdate(type, current, obj, status);
    String rv = KubeJson.text(obj, "metadata", "resourceVersion");
    if (rv != null
        && !rv.isEmpty()
        && !rv.equals(KubeJson.text(current, "metadata", "resourceVersion"))) {
      return Reply.status(
          ApiStatus.conflict(
              type.plural(),
              type.group(),
              p.name(),
              "the object has been modified; please apply your changes to the latest version and"
                  + " try again"));
    }
    String bodyName = KubeJson.text(obj, "metadata", "name");
    if (bodyName != null && !bodyName.equals(p.name())) {
      return Reply.status(
          ApiStatus.badRequest(
              "the name of the object ("
                  + bodyName
                  + ") does not match the name on the URL ("
                  + p.name()
                  + ")"));
    }
    if (!status && !controller) {
      ObjectNode denied = admission.validate(type, result, current, p.namespace());
      if (denied != null) {
        return Reply.status(denied);
      }
    }
    if (p.dryRun()) {
      return Reply.json(200, result);
    }
    // The store checks the resourceVersion against the current one (a concurrent write: 409).
    ObjectNode toStore = status ? obj : result;
    KubeJson.obj(toStore, "metadata")
        .put("resourceVersion", KubeJson.text(current, "metadata", "resourceVersion"));
    String path = p.objectPath() + (status ? "/status" : "");
    return storeWrite(HttpMethod.PUT, path, toStore, type, p.name());
  }

  /** What an update of {@code current} to {@code obj} stores (for validation and dry runs). */
  private static ObjectNode resultOfUpdate(
      ResourceType type, ObjectNode current, ObjectNode obj, boolean statusOnly) {
    ObjectNode result;
    if (statusOnly) {
      result = current.deepCopy();
      if (obj.has("status")) {
        result.set("status", obj.get("status").deepCopy());
      } else {
        result.remove("status");
      }
      return result;
    }
    result = obj.deepCopy();
    ObjectNode meta = KubeJson.obj(result, "metadata");
    JsonNode cur = current.path("metadata");
    for (String f :
        List.of("namespace", "uid", "creationTimestamp", "resourceVersion", "generation")) {
      if (cur.has(f)) {
        meta.set(f, cur.get(f).deepCopy());
      }
    }
    if (cur.has("deletionTimestamp") && !meta.has("deletionTimestamp")) {
      meta.set("deletionTimestamp", cur.get("deletionTimestamp").deepCopy());
    }
    if (type.statusSubresource()) {
      if (current.has("status")) {
        result.set("status", current.get("status").deepCopy());
      } else {
        result.remove("status");
      }
    }
    return result;
  }

  private Reply patch(
      ApiPath p, ResourceType type, String body, String contentType, boolean controller) {
    if (p.name() == null) {
      return Reply.status(ApiStatus.methodNotAllowed());
    }
    String media = contentType == null ? JSON : contentType.split(";")[0].trim();
    boolean jsonPatch = media.equals("application/json-patch+json");
    boolean mergePatch = media.equals("application/merge-patch+json") || media.equals(JSON);
    if (!jsonPatch && !mergePatch) {
      return Reply.status(ApiStatus.unsupportedMediaType(media));
    }
    JsonNode patch;
    try {
      patch = KubeJson.parse(body);
    } catch (Exception e) {
      return Reply.status(
          ApiStatus.badRequest("the body of the request could not be decoded: " + e.getMessage()));
    }
    // A patch is applied to the latest version; a concurrent write is retried (unless the patch
    // itself carries a resourceVersion precondition), as the API server does.
    for (int attempt = 0; ; attempt++) {
      ObjectNode current = get(p.objectPath());
      if (current == null) {
        return notFound(type, p.name());
      }
      ObjectNode patched;
      try {
        patched = jsonPatch ? applyJsonPatch(current, patch) : applyMergePatch(current, patch);
      } catch (RuntimeException e) {
        return Reply.status(
            ApiStatus.failure(422, "Invalid", "the patch could not be applied: " + e.getMessage()));
      }
      Reply reply = replace(p, type, current, patched, controller);
      boolean preconditioned =
          !KubeJson.at(patch, "metadata", "resourceVersion").isMissingNode()
              || jsonPatch && body.contains("/metadata/resourceVersion");
      if (reply.code() != 409
          || preconditioned
          || attempt >= 5
          || !reply.body().contains("\"Conflict\"")) {
        return reply;
      }
    }
  }

  private static ObjectNode applyJsonPatch(ObjectNode current, JsonNode patch) {
    JsonNode result = JsonPatch.apply(patch, current.deepCopy());
    if (!(result instanceof ObjectNode o)) {
      throw new IllegalArgumentException("the result is not an object");
    }
    return o;
  }

  /** RFC 7386 JSON merge patch: objects merge, {@code null} removes, everything else replaces. */
  static ObjectNode applyMergePatch(ObjectNode target, JsonNode patch) {
    if (!patch.isObject()) {
      throw new IllegalArgumentException("a merge patch must be a JSON object");
    }
    ObjectNode result = target.deepCopy();
    merge(result, (ObjectNode) patch);
    return result;
  }

  private static void merge(ObjectNode target, ObjectNode patch) {
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode value = e.getValue();
      if (value.isNull()) {
        target.remove(e.getKey());
      } else if (value.isObject() && target.get(e.getKey()) instanceof ObjectNode existing) {
        merge(existing, (ObjectNode) value);
      } else if (value.isObject()) {
        ObjectNode fresh = target.putObject(e.getKey());
        merge(fresh, (ObjectNode) value);
      } else {
        target.set(e.getKey(), value.deepCopy());
      }
    }
  }

  private Reply delete(ApiPath p, ResourceType type) {
    if (p.name() == null) {
      if (p.dryRun()) {
        return Reply.json(200, listOf(type, list(p.objectPath())));
      }
      super.handleDelete(p.raw());
      return new Reply(200, KubeJson.write(listOf(type, List.of())));
    }
    ObjectNode current = get(p.objectPath());
    if (current == null) {
      return notFound(type, p.name());
    }
    if (p.dryRun()) {
      if (!KubeJson.finalizers(current).isEmpty() && !KubeJson.deleting(current)) {
        KubeJson.obj(current, "metadata").put("deletionTimestamp", KubeJson.now());
      }
      return Reply.json(200, current);
    }
    MockResponse r = super.handleDelete(p.objectPath());
    String body = r.getBody() == null ? null : r.getBody().readUtf8();
    if (r.code() == 404) {
      return notFound(type, p.name());
    }
    ObjectNode after = get(p.objectPath());
    if (after != null) {
      return Reply.json(200, after); // kept by its finalizers, marked for deletion
    }
    ObjectNode status = ApiStatus.success();
    ObjectNode details = status.putObject("details");
    details.put("name", p.name());
    details.put("group", type.group());
    details.put("kind", type.plural());
    details.put("uid", KubeJson.uid(KubeJson.parseObject(body)));
    return Reply.json(200, status);
  }

  private static ObjectNode listOf(ResourceType type, List<ObjectNode> items) {
    ObjectNode typed = KubeJson.object();
    typed.put("apiVersion", type.apiVersion());
    typed.put("kind", type.kind() + "List");
    typed.putObject("metadata");
    ArrayNode a = typed.putArray("items");
    items.forEach(a::add);
    return typed;
  }

  /** Hands a checked write to the CRUD store and shapes its answer like the API server's. */
  private Reply storeWrite(
      HttpMethod method, String path, ObjectNode obj, ResourceType type, String name) {
    RecordedRequest internal = internalRequest(method, path, KubeJson.write(obj));
    MockResponse r =
        method == HttpMethod.POST ? super.handleCreate(internal) : super.handleUpdate(internal);
    String body = r.getBody() == null ? null : r.getBody().readUtf8();
    int code = r.code();
    if (code == 404) {
      return notFound(type, name);
    }
    if (code == 409) {
      return method == HttpMethod.POST
          ? Reply.status(ApiStatus.alreadyExists(type.plural(), type.group(), name))
          : Reply.status(
              ApiStatus.conflict(
                  type.plural(),
                  type.group(),
                  name,
                  "the object has been modified; please apply your changes to the latest version"
                      + " and try again"));
    }
    if (code == 200 && (body == null || body.isEmpty())) {
      // removed: marked for deletion without finalizers left
      ObjectNode status = ApiStatus.success();
      status.putObject("details").put("name", name);
      return Reply.json(200, status);
    }
    return new Reply(code, body);
  }

  private static RecordedRequest internalRequest(HttpMethod method, String path, String body) {
    return new RecordedRequest(
        "HTTP/1.1",
        method,
        path,
        Headers.builder().add("Content-Type", JSON).build(),
        new Buffer(body.getBytes(StandardCharsets.UTF_8)));
  }

  private static MockResponse toResponse(Reply reply) {
    MockResponse r = new MockResponse().setResponseCode(reply.code());
    if (reply.body() != null) {
      r.setHeader("Content-Type", reply.body().startsWith("{") ? JSON : "text/plain");
      r.setBody(reply.body());
    }
    return r;
  }

  private static String collectionPath(ResourceType type, String namespace) {
    StringBuilder b = new StringBuilder(type.group().isEmpty() ? "/api" : "/apis/" + type.group());
    b.append('/').append(type.version());
    if (type.namespaced()) {
      b.append("/namespaces/").append(namespace);
    }
    return b.append('/').append(type.plural()).toString();
  }

  private static String objectPath(ResourceType type, String namespace, String name) {
    StringBuilder b = new StringBuilder(type.group().isEmpty() ? "/api" : "/apis/" + type.group());
    b.append('/').append(type.version());
    if (type.namespaced()) {
      b.append("/namespaces/").append(namespace);
    }
    return b.append('/').append(type.plural()).append('/').append(name).toString();
  }

  // ---- Store: the server's own access ----

  @Override
  public ObjectNode get(String path) {
    MockResponse r = super.handleGet(path);
    if (r.code() != 200 || r.getBody() == null) {
      return null;
    }
    return KubeJson.parseObject(r.getBody().readUtf8());
  }

  @Override
  public List<ObjectNode> list(String collectionPath) {
    MockResponse r = super.handleGet(collectionPath);
    List<ObjectNode> out = new ArrayList<>();
    if (r.code() == 200 && r.getBody() != null) {
      ObjectNode list = KubeJson.parseObject(r.getBody().readUtf8());
      if (list != null) {
        list.path("items").forEach(i -> out.add((ObjectNode) i));
      }
    }
    return out;
  }

  @Override
  public ObjectNode put(String path, ObjectNode object) {
    MockResponse r =
        super.handleUpdate(internalRequest(HttpMethod.PUT, path, KubeJson.write(object)));
    String body = r.getBody() == null ? "" : r.getBody().readUtf8();
    if (r.code() >= 300) {
      throw new StoreException(r.code(), body);
    }
    return KubeJson.parseObject(body);
  }

  @Override
  public ObjectNode create(String collectionPath, ObjectNode object) {
    MockResponse r =
        super.handleCreate(
            internalRequest(HttpMethod.POST, collectionPath, KubeJson.write(object)));
    String body = r.getBody() == null ? "" : r.getBody().readUtf8();
    if (r.code() >= 300) {
      throw new StoreException(r.code(), body);
    }
    return KubeJson.parseObject(body);
  }

  // ---- every change of the store ends here: it becomes a watch event ----

  @Override
  public void processEvent(
      String path,
      AttributeSet pathAttributes,
      AttributeSet oldAttributes,
      GenericKubernetesResource resource,
      String newState) {
    synchronized (watches) {
      String existing = oldAttributes == null ? null : map.get(oldAttributes);
      super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
      if (java.util.Objects.equals(existing, newState)) {
        return;
      }
      if (newState == null) {
        if (existing == null) {
          return;
        }
        // A deletion is a change too: it gets its own resourceVersion, as in the API server.
        ObjectNode last = KubeJson.parseObject(existing);
        long rv = requestResourceVersion();
        KubeJson.obj(last, "metadata").put("resourceVersion", Long.toString(rv));
        watches.publish(rv, KubeJson.write(last), oldAttributes, null, true);
        return;
      }
      KubernetesAttributesExtractor extractor = (KubernetesAttributesExtractor) attributeExtractor;
      AttributeSet newAttributes =
          resource != null ? extractor.extract(resource) : extractor.fromResource(newState);
      if (!newAttributes.containsKey(KubernetesAttributesExtractor.PLURAL)) {
        newAttributes = AttributeSet.merge(pathAttributes, newAttributes);
      }
      ObjectNode now = KubeJson.parseObject(newState);
      long rv = Long.parseLong(KubeJson.text(now, "metadata", "resourceVersion"));
      watches.publish(rv, newState, oldAttributes, newAttributes, false);
    }
  }
}
