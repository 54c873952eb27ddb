package dev.virtsaga.providers.virtfusion;

import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.virtfusion.VirtFusionHttp.Reply;
import dev.virtsaga.providers.virtfusion.VirtFusionHttp.Safety;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The VirtFusion endpoints the adapter uses, one method each, with the answers unwrapped from their
 * {@code data} envelope. No decisions here: those are the provider's.
 */
final class VirtFusionApi {
  /** {@code results} of paged lists (VirtFusion allows 1–200). */
  static final int PAGE_SIZE = 100;

  private final VirtFusionHttp http;

  VirtFusionApi(VirtFusionHttp http) {
    this.http = http;
  }

  /**
   * One page of a Laravel-paged list.
   *
   * @param lastPage the number of the last page (≥ 1)
   */
  record PageOf(List<JsonObject> items, int page, int lastPage) {
    boolean hasNext() {
      return page < lastPage;
    }
  }

  // ---- general --------------------------------------------------------------------------------

  Uni<Void> connect() {
    return http.get("/connect").replaceWithVoid();
  }

  // ---- hypervisors ----------------------------------------------------------------------------

  Uni<PageOf> hypervisors(int page) {
    return http.get("/compute/hypervisors?results=" + PAGE_SIZE + "&page=" + page)
        .map(VirtFusionApi::page);
  }

  Uni<PageOf> hypervisorGroups(int page) {
    return http.get("/compute/hypervisors/groups?results=" + PAGE_SIZE + "&page=" + page)
        .map(VirtFusionApi::page);
  }

  Uni<JsonObject> hypervisorGroup(long id) {
    return http.get("/compute/hypervisors/groups/" + id).map(Reply::data);
  }

  /** Every item of a paged list, page after page. */
  static Uni<List<JsonObject>> all(Function<Integer, Uni<PageOf>> pages) {
    return collect(pages, 1, new ArrayList<>());
  }

  private static Uni<List<JsonObject>> collect(
      Function<Integer, Uni<PageOf>> pages, int page, List<JsonObject> into) {
    return pages
        .apply(page)
        .chain(
            p -> {
              into.addAll(p.items());
              return p.hasNext() && !p.items().isEmpty()
                  ? collect(pages, page + 1, into)
                  : Uni.createFrom().item(into);
            });
  }

  // ---- users, keys, templates -----------------------------------------------------------------

  /**
   * {@code GET /users/{extRelationId}/byExtRelation}: a number is an external relation id, other
   * text a {@code relStr}.
   */
  Uni<JsonObject> userByExtRelation(String tenant) {
    boolean numeric = tenant.matches("[0-9]{1,18}");
    String path =
        "/users/"
            + URLEncoder.encode(tenant, StandardCharsets.UTF_8).replace("+", "%20")
            + "/byExtRelation"
            + (numeric ? "" : "?relStr=true");
    return http.get(path).map(Reply::data);
  }

  Uni<List<JsonObject>> sshKeysOfUser(long userId) {
    return http.get("/ssh_keys/user/" + userId).map(r -> list(r.body().getValue("data")));
  }

  Uni<JsonObject> addSshKey(long userId, String name, String publicKey) {
    return http.post(
            "/ssh_keys",
            new JsonObject().put("userId", userId).put("name", name).put("publicKey", publicKey),
            Safety.ONCE)
        .map(Reply::data);
  }

  /**
   * The template groups of a package: {@code [{id, name, templates: [{id, name, version, …}]}]}.
   */
  Uni<List<JsonObject>> templatesOfPackage(long packageId) {
    return http.get("/media/templates/fromServerPackageSpec/" + packageId)
        .map(r -> list(r.body().getValue("data")));
  }

  // ---- servers --------------------------------------------------------------------------------

  Uni<ServerView> server(long id) {
    return http.get("/servers/" + id).map(r -> ServerView.of(r.data()));
  }

  /** One page of all servers, full records, in id order. */
  Uni<PageOf> servers(int page) {
    return http.get("/servers?results=" + PAGE_SIZE + "&page=" + page + "&type=full")
        .map(VirtFusionApi::page);
  }

  /** All servers of a user (not paged by VirtFusion). */
  Uni<List<ServerView>> serversOfUser(long userId) {
    return http.get("/servers/user/" + userId)
        .map(r -> list(r.body().getValue("data")).stream().map(ServerView::of).toList());
  }

  /** {@code POST /servers}: allocates a server (no OS yet). */
  Uni<ServerView> allocate(JsonObject body) {
    return http.post("/servers", body, Safety.ONCE).map(r -> ServerView.of(r.data()));
  }

  Uni<Void> rename(long id, String name) {
    return http.put("/servers/" + id + "/modify/name", new JsonObject().put("name", name))
        .replaceWithVoid();
  }

  /** {@code POST /servers/{id}/build}; returns the build's queue id (0 when not told). */
  Uni<Long> build(long id, JsonObject body) {
    return http.post("/servers/" + id + "/build", body, Safety.ONCE)
        .map(r -> longOr0(r.data().getValue("queueId")));
  }

  /** {@code POST /servers/{id}/power/{action}}; returns the action's queue id (0 when not told). */
  Uni<Long> power(long id, String action) {
    return http.post("/servers/" + id + "/power/" + action, null, Safety.REPEATABLE)
        .map(r -> longOr0(r.data().getValue("queueId")));
  }

  Uni<Void> suspend(long id) {
    return http.post("/servers/" + id + "/suspend", null, Safety.REPEATABLE).replaceWithVoid();
  }

  Uni<Void> unsuspend(long id) {
    return http.post("/servers/" + id + "/unsuspend", null, Safety.REPEATABLE).replaceWithVoid();
  }

  Uni<Void> modifyCpuCores(long id, int cores) {
    return http.put("/servers/" + id + "/modify/cpuCores", new JsonObject().put("cores", cores))
        .replaceWithVoid();
  }

  Uni<Void> modifyMemory(long id, long memoryMb) {
    return http.put("/servers/" + id + "/modify/memory", new JsonObject().put("memory", memoryMb))
        .replaceWithVoid();
  }

  /** {@code DELETE /servers/{id}?delay=0}: at once. */
  Uni<Void> delete(long id) {
    return http.delete("/servers/" + id + "?delay=0").replaceWithVoid();
  }

  // ---- queue ----------------------------------------------------------------------------------

  /**
   * One queue item.
   *
   * @param finished whether it has ended ({@code finished} is set)
   * @param failed whether it ended in failure
   * @param progress percent, or {@code null}
   * @param error what went wrong, or {@code null}
   */
  record QueueItem(long id, boolean finished, boolean failed, Integer progress, String error) {}

  Uni<QueueItem> queueItem(long id) {
    return http.get("/queue/" + id).map(r -> queueItem(r.data()));
  }

  static QueueItem queueItem(JsonObject q) {
    boolean finished = q.getValue("finished") != null;
    boolean failed = Boolean.TRUE.equals(q.getValue("failed"));
    Integer progress = q.getValue("progress") instanceof Number n ? n.intValue() : null;
    if (progress != null) {
      progress = Math.max(0, Math.min(100, progress));
    }
    return new QueueItem(q.getLong("id", 0L), finished, failed, progress, queueError(q));
  }

  private static String queueError(JsonObject q) {
    Object errors = q.getValue("errors");
    List<String> parts = new ArrayList<>();
    if (errors instanceof JsonObject o) {
      JsonObject exception = o.getJsonObject("exception");
      if (exception != null) {
        if (exception.getValue("errors") instanceof JsonArray a) {
          a.forEach(e -> parts.add(String.valueOf(e)));
        }
        if (parts.isEmpty() && exception.getString("message") != null) {
          parts.add(exception.getString("message"));
        }
      }
    } else if (errors instanceof JsonArray a) {
      a.forEach(e -> parts.add(String.valueOf(e)));
    }
    return parts.isEmpty() ? null : String.join("; ", parts);
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static PageOf page(Reply r) {
    JsonObject body = r.body();
    List<JsonObject> items = list(body.getValue("data"));
    int current = body.getInteger("current_page", 1);
    int last = body.getInteger("last_page", current);
    return new PageOf(items, current, Math.max(1, last));
  }

  private static List<JsonObject> list(Object data) {
    List<JsonObject> items = new ArrayList<>();
    if (data instanceof JsonArray array) {
      for (Object o : array) {
        if (o instanceof JsonObject j) {
          items.add(j);
        }
      }
      return items;
    }
    throw new ProviderException(
        ErrorType.RETRYABLE, "VirtFusion answered a list without a data array");
  }

  private static long longOr0(Object v) {
    if (v instanceof Number n) {
      return n.longValue();
    }
    if (v instanceof String s && s.matches("[0-9]{1,18}")) {
      return Long.parseLong(s);
    }
    return 0;
  }
}
