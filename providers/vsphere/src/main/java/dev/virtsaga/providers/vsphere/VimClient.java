package dev.virtsaga.providers.vsphere;

import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A small non-blocking vim25 SOAP client: only the calls the vSphere adapter needs, on the Vert.x
 * Mutiny web client, XML with the JDK's DOM. Every method returns a {@link Uni} that fails only
 * with a {@link ProviderException} (see {@link VimFaults} for the mapping).
 *
 * <ul>
 *   <li>{@link #connect()} reads the {@code ServiceContent}, logs in with user name and password
 *       and keeps the {@code vmware_soap_session} cookie; then a timer calls {@code CurrentTime}
 *       every {@link VimSettings#keepAliveInterval()} so the session is not dropped as idle.
 *   <li>A call that fails with {@code NotAuthenticated} (the session expired or the server
 *       restarted) logs in again — once, shared by all calls that noticed at the same time — and is
 *       sent once more. vCenter (and vcsim) answer a property read without a valid session with
 *       {@code NotAuthenticated} in each property's {@code missingSet}; that counts too.
 *   <li>Every call is bounded by {@link VimSettings#requestTimeout()} ({@code TIMEOUT}).
 * </ul>
 *
 * <pre>{@code
 * VimClient vim = new VimClient(vertx, VimSettings.of(sdkUrl, user, password));
 * vim.connect()
 *     .chain(() -> vim.findByInventoryPath("/DC0/vm/template-small"))
 *     .chain(vm -> vim.retrieveProperties(vm.orElseThrow(), List.of("runtime.powerState")))
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} stops the timer and the web client (and the Vert.x of a {@link
 * #standalone} client); call {@link #logout()} first to end the session on the server.
 */
public final class VimClient implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(VimClient.class);

  /** The one well-known reference: everything else is found through its ServiceContent. */
  public static final ManagedObjectReference SERVICE_INSTANCE =
      new ManagedObjectReference("ServiceInstance", "ServiceInstance");

  private static final String SESSION_COOKIE = "vmware_soap_session";

  /** An answer: the method's response element and the cookies the server set with it. */
  private record Answer(Element content, List<String> setCookies) {}

  private final Vertx vertx;
  private final boolean ownsVertx;
  private final VimSettings settings;
  private final WebClient web;
  private final String url;
  private final String soapAction;
  private final AtomicLong logins = new AtomicLong();
  private final AtomicLong keepAlives = new AtomicLong();

  private volatile ServiceContent content;
  private volatile String cookie;
  private volatile String sessionKey;
  private Uni<Void> loginInFlight; // guarded by this
  private long keepAliveTimer = -1; // guarded by this

  /** A client on the caller's Vert.x (Quarkus's Mutiny {@code Vertx} in a service). */
  public VimClient(Vertx vertx, VimSettings settings) {
    this(vertx, settings, false);
  }

  private VimClient(Vertx vertx, VimSettings settings, boolean ownsVertx) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.ownsVertx = ownsVertx;
    this.url = settings.sdkUrl().toString();
    this.soapAction = "urn:vim25/" + settings.apiVersion();
    this.web = WebClient.create(vertx, webOptions(settings));
  }

  /** A client with its own Vert.x, closed with it. */
  public static VimClient standalone(VimSettings settings) {
    return new VimClient(Vertx.vertx(), settings, true);
  }

  /**
   * Reads the service content, logs in and starts the keep-alive timer.
   *
   * @return the service content; fails UNAUTHORIZED for a wrong user or password, UNAVAILABLE when
   *     the server cannot be reached or answers 502/503/504, TIMEOUT when it does not answer in
   *     time
   */
  public Uni<ServiceContent> connect() {
    String what = "connect to " + url;
    return send(
            "RetrieveServiceContent",
            Soap.envelope("RetrieveServiceContent", SERVICE_INSTANCE, ""),
            null)
        .map(answer -> serviceContent(answer.content()))
        .invoke(c -> content = c)
        .call(c -> login())
        .invoke(c -> startKeepAlive())
        .onFailure()
        .transform(f -> VimFaults.of(what, f));
  }

  /**
   * Reads properties of one object with {@code RetrievePropertiesEx} (no traversal).
   *
   * @param paths property paths, e.g. {@code config.hardware.numCPU}
   * @return the values; NOT_FOUND when the object does not exist, INVALID_SPEC for a path the type
   *     does not have
   */
  public Uni<ObjectContent> retrieveProperties(ManagedObjectReference obj, List<String> paths) {
    Objects.requireNonNull(obj, "obj");
    StringBuilder inner = new StringBuilder("<specSet><propSet>");
    inner.append(Soap.element("type", obj.type()));
    for (String path : paths) {
      inner.append(Soap.element("pathSet", path));
    }
    inner
        .append("</propSet><objectSet>")
        .append(Soap.moRef("obj", obj))
        .append("</objectSet></specSet><options/>");
    return call("RetrievePropertiesEx", connected().propertyCollector(), inner.toString())
        .map(response -> objectContent(obj, response));
  }

  /**
   * Finds a managed entity by its inventory path ({@code /DC0/vm/template-small}, {@code
   * /DC0/host/DC0_C0/DC0_C0_H0}).
   *
   * @return the reference, or empty when nothing is at that path
   */
  public Uni<Optional<ManagedObjectReference>> findByInventoryPath(String inventoryPath) {
    return call(
            "FindByInventoryPath",
            connected().searchIndex(),
            Soap.element("inventoryPath", inventoryPath))
        .map(response -> Soap.child(response, "returnval").map(Soap::toMoRef));
  }

  /**
   * Any other vim25 method: the body after {@code _this} is the caller's (escaped) XML, the answer
   * is the method's response element ({@code <returnval>} children, if any). Same session handling,
   * timeout and fault mapping as the typed calls.
   */
  Uni<Element> invoke(String method, ManagedObjectReference self, String innerXml) {
    connected();
    return call(method, self, innerXml, settings.requestTimeout());
  }

  /**
   * {@link #invoke(String, ManagedObjectReference, String)} with its own limit, for a call the
   * server holds open on purpose ({@code WaitForUpdatesEx} with {@code maxWaitSeconds}).
   */
  Uni<Element> invoke(
      String method, ManagedObjectReference self, String innerXml, Duration timeout) {
    connected();
    return call(method, self, innerXml, timeout);
  }

  /**
   * Reads properties of every object of one type in a container view ({@code RetrievePropertiesEx},
   * then {@code ContinueRetrievePropertiesEx} while the server hands out a token).
   *
   * @param view a {@code ContainerView}
   * @param type the objects' type, e.g. {@code VirtualMachine}
   * @return one {@link ObjectContent} per object, in the server's order
   */
  Uni<List<ObjectContent>> retrieveFromView(
      ManagedObjectReference view, String type, List<String> paths) {
    StringBuilder inner = new StringBuilder("<specSet><propSet>");
    inner.append(Soap.element("type", type));
    for (String path : paths) {
      inner.append(Soap.element("pathSet", path));
    }
    inner
        .append("</propSet><objectSet>")
        .append(Soap.moRef("obj", view))
        .append("<skip>true</skip><selectSet xsi:type=\"TraversalSpec\">")
        .append("<name>view</name><type>ContainerView</type><path>view</path><skip>false</skip>")
        .append("</selectSet></objectSet></specSet><options/>");
    ManagedObjectReference pc = connected().propertyCollector();
    return call("RetrievePropertiesEx", pc, inner.toString())
        .chain(response -> collect(pc, response, new java.util.ArrayList<>()));
  }

  private Uni<List<ObjectContent>> collect(
      ManagedObjectReference pc, Element response, List<ObjectContent> into) {
    Optional<Element> result = Soap.child(response, "returnval");
    if (result.isEmpty()) {
      return Uni.createFrom().item(into);
    }
    for (Element objects : Soap.children(result.get(), "objects")) {
      into.add(objectContent(objects));
    }
    String token = Soap.childText(result.get(), "token").trim();
    if (token.isEmpty()) {
      return Uni.createFrom().item(into);
    }
    return call("ContinueRetrievePropertiesEx", pc, Soap.element("token", token))
        .chain(next -> collect(pc, next, into));
  }

  private static ObjectContent objectContent(Element objects) {
    Map<String, Element> values = new LinkedHashMap<>();
    Map<String, String> missing = new LinkedHashMap<>();
    for (Element prop : Soap.children(objects, "propSet")) {
      Soap.child(prop, "val").ifPresent(val -> values.put(Soap.childText(prop, "name"), val));
    }
    for (Element m : Soap.children(objects, "missingSet")) {
      missing.put(Soap.childText(m, "path"), missingFaultType(m));
    }
    ManagedObjectReference obj =
        Soap.child(objects, "obj")
            .map(Soap::toMoRef)
            .orElseThrow(() -> new ProviderException(ErrorType.RETRYABLE, "an object without obj"));
    return new ObjectContent(obj, values, missing);
  }

  /** The server's clock ({@code CurrentTime}); what the keep-alive calls. */
  public Uni<Instant> currentTime() {
    connected();
    return call("CurrentTime", SERVICE_INSTANCE, "")
        .map(
            response ->
                OffsetDateTime.parse(Soap.childText(response, "returnval").trim()).toInstant());
  }

  /**
   * Ends the session on the server and stops the keep-alive; a session the server already forgot
   * counts as ended. Afterwards the client must {@link #connect()} again.
   */
  public Uni<Void> logout() {
    stopKeepAlive();
    ServiceContent c = content;
    String used = cookie;
    if (c == null || used == null) {
      return Uni.createFrom().voidItem();
    }
    return send("Logout", Soap.envelope("Logout", c.sessionManager(), ""), used)
        .replaceWithVoid()
        .onFailure(VimClient::isNotAuthenticated)
        .recoverWithNull()
        .onFailure()
        .transform(f -> VimFaults.of("Logout", f))
        .eventually(
            () -> {
              cookie = null;
              sessionKey = null;
              content = null;
            });
  }

  /** The service content read by {@link #connect()}, if connected. */
  public Optional<ServiceContent> serviceContent() {
    return Optional.ofNullable(content);
  }

  /** The service content read by {@link #connect()}; UNAVAILABLE when not connected. */
  ServiceContent connectedContent() {
    return serviceContent()
        .orElseThrow(() -> new ProviderException(ErrorType.UNAVAILABLE, "not connected"));
  }

  /** The current session's key (changes with every login), if logged in. */
  public Optional<String> sessionKey() {
    return Optional.ofNullable(sessionKey);
  }

  /** How many logins succeeded: 1 after {@link #connect()}, one more per transparent re-login. */
  public long logins() {
    return logins.get();
  }

  /** How many keep-alive calls succeeded. */
  public long keepAlives() {
    return keepAlives.get();
  }

  public VimSettings settings() {
    return settings;
  }

  @Override
  public void close() {
    stopKeepAlive();
    web.close();
    if (ownsVertx) {
      vertx.closeAndAwait();
    }
  }

  // --- the session -------------------------------------------------------------------------

  /** An authenticated call: on NotAuthenticated, one shared re-login and one more attempt. */
  private Uni<Element> call(String method, ManagedObjectReference self, String inner) {
    return call(method, self, inner, settings.requestTimeout());
  }

  private Uni<Element> call(
      String method, ManagedObjectReference self, String inner, Duration limit) {
    String envelope = Soap.envelope(method, self, inner);
    return Uni.createFrom()
        .deferred(
            () -> {
              String used = cookie;
              return send(method, envelope, used, limit)
                  .onFailure(VimClient::isNotAuthenticated)
                  .recoverWithUni(
                      f -> {
                        LOG.debugf("%s on %s: session lost, logging in again", method, url);
                        return relogin(used).chain(() -> send(method, envelope, cookie, limit));
                      });
            })
        .map(Answer::content)
        .onFailure()
        .transform(f -> VimFaults.of(method, f));
  }

  private synchronized Uni<Void> relogin(String stale) {
    if (!Objects.equals(stale, cookie)) {
      return Uni.createFrom().voidItem(); // another call has logged in again meanwhile
    }
    if (loginInFlight == null) {
      loginInFlight = login().onTermination().invoke(this::loginDone).memoize().indefinitely();
    }
    return loginInFlight;
  }

  private synchronized void loginDone() {
    loginInFlight = null;
  }

  private Uni<Void> login() {
    ServiceContent c = content;
    if (c == null) {
      return Uni.createFrom().failure(new IllegalStateException("not connected"));
    }
    String inner =
        Soap.element("userName", settings.username())
            + Soap.element("password", settings.password());
    return send("Login", Soap.envelope("Login", c.sessionManager(), inner), null)
        .invoke(
            answer -> {
              String session =
                  answer.setCookies().stream()
                      .map(v -> v.split(";", 2)[0].trim())
                      .filter(v -> v.startsWith(SESSION_COOKIE + "="))
                      .findFirst()
                      .orElseThrow(
                          () ->
                              new ProviderException(
                                  ErrorType.RETRYABLE, "Login answered without a session cookie"));
              cookie = session;
              sessionKey =
                  Soap.child(answer.content(), "returnval")
                      .map(r -> Soap.childText(r, "key"))
                      .orElse(null);
              logins.incrementAndGet();
              LOG.debugf("logged in to %s as %s", url, settings.username());
            })
        .replaceWithVoid();
  }

  private synchronized void startKeepAlive() {
    long every = settings.keepAliveInterval().toMillis();
    if (keepAliveTimer >= 0 || every <= 0) {
      return;
    }
    keepAliveTimer =
        vertx.setPeriodic(
            every,
            id ->
                currentTime()
                    .subscribe()
                    .with(
                        time -> keepAlives.incrementAndGet(),
                        f -> LOG.warnf("keep-alive of the session on %s failed: %s", url, f)));
  }

  private synchronized void stopKeepAlive() {
    if (keepAliveTimer >= 0) {
      vertx.cancelTimer(keepAliveTimer);
      keepAliveTimer = -1;
    }
  }

  private ServiceContent connected() {
    ServiceContent c = content;
    if (c == null) {
      throw new IllegalStateException("not connected to " + url + ": call connect() first");
    }
    return c;
  }

  // --- the wire ----------------------------------------------------------------------------

  /** One POST; fails with a {@link SoapFaultException} for a fault, else typed. */
  private Uni<Answer> send(String method, String envelope, String sessionCookie) {
    return send(method, envelope, sessionCookie, settings.requestTimeout());
  }

  private Uni<Answer> send(String method, String envelope, String sessionCookie, Duration limit) {
    HttpRequest<Buffer> request =
        web.postAbs(url)
            .timeout(limit.toMillis())
            .putHeader("Content-Type", "text/xml; charset=utf-8")
            .putHeader("SOAPAction", soapAction);
    if (sessionCookie != null) {
      request.putHeader("Cookie", sessionCookie);
    }
    return request
        .sendBuffer(Buffer.buffer(envelope))
        // the web client's timeout is one of inactivity; this bounds the whole call
        .ifNoItem()
        .after(limit)
        .failWith(
            () ->
                new TimeoutException(
                    method + ": no answer from " + url + " within " + limit.toMillis() + " ms"))
        .map(response -> answer(method, response));
  }

  private static Answer answer(String method, HttpResponse<Buffer> response) {
    int status = response.statusCode();
    String body = response.bodyAsString();
    Document doc = null;
    if (body != null && !body.isBlank()) {
      try {
        doc = Soap.parse(body);
      } catch (IllegalArgumentException e) {
        doc = null;
      }
    }
    Optional<Element> content = doc == null ? Optional.empty() : Soap.bodyContent(doc);
    if (content.isPresent() && "Fault".equals(content.get().getLocalName())) {
      Element fault = content.get();
      throw new SoapFaultException(
          Soap.faultType(fault), Soap.childText(fault, "faultstring"), status);
    }
    if (status != 200) {
      throw new ProviderException(
          VimFaults.typeOfStatus(status),
          method + ": HTTP " + status + " " + Objects.toString(response.statusMessage(), ""));
    }
    if (content.isEmpty()) {
      throw new ProviderException(
          ErrorType.RETRYABLE, method + ": the answer is not a SOAP envelope");
    }
    if (missingForNoSession(content.get())) {
      throw new SoapFaultException("NotAuthenticated", "no valid session", status);
    }
    return new Answer(content.get(), response.headers().getAll("Set-Cookie"));
  }

  /** Whether a property read came back with {@code NotAuthenticated} for its properties. */
  private static boolean missingForNoSession(Element response) {
    NodeList missing = response.getElementsByTagNameNS("*", "missingSet");
    for (int i = 0; i < missing.getLength(); i++) {
      if ("NotAuthenticated".equals(missingFaultType((Element) missing.item(i)))) {
        return true;
      }
    }
    return false;
  }

  private static String missingFaultType(Element missingSet) {
    return Soap.child(missingSet, "fault")
        .flatMap(f -> Soap.child(f, "fault"))
        .map(Soap::xsiType)
        .orElse("");
  }

  private static boolean isNotAuthenticated(Throwable t) {
    return t instanceof SoapFaultException f && f.isNotAuthenticated();
  }

  private static ServiceContent serviceContent(Element response) {
    Element r =
        Soap.child(response, "returnval")
            .orElseThrow(
                () ->
                    new ProviderException(
                        ErrorType.RETRYABLE, "RetrieveServiceContent answered no returnval"));
    Element about = Soap.child(r, "about").orElse(r);
    return new ServiceContent(
        Soap.childText(about, "apiType"),
        Soap.childText(about, "apiVersion"),
        moRef(r, "rootFolder"),
        moRef(r, "propertyCollector"),
        moRef(r, "sessionManager"),
        moRef(r, "searchIndex"),
        Soap.child(r, "viewManager").map(Soap::toMoRef).orElse(null),
        Soap.child(r, "customFieldsManager").map(Soap::toMoRef).orElse(null));
  }

  private static ManagedObjectReference moRef(Element parent, String name) {
    return Soap.child(parent, name)
        .map(Soap::toMoRef)
        .orElseThrow(
            () ->
                new ProviderException(ErrorType.RETRYABLE, "the ServiceContent names no " + name));
  }

  private static ObjectContent objectContent(ManagedObjectReference obj, Element response) {
    Map<String, Element> values = new LinkedHashMap<>();
    Map<String, String> missing = new LinkedHashMap<>();
    Soap.child(response, "returnval")
        .ifPresent(
            result -> {
              for (Element objects : Soap.children(result, "objects")) {
                for (Element prop : Soap.children(objects, "propSet")) {
                  Soap.child(prop, "val")
                      .ifPresent(val -> values.put(Soap.childText(prop, "name"), val));
                }
                for (Element m : Soap.children(objects, "missingSet")) {
                  missing.put(Soap.childText(m, "path"), missingFaultType(m));
                }
              }
            });
    return new ObjectContent(obj, values, missing);
  }

  private static WebClientOptions webOptions(VimSettings settings) {
    int timeout = (int) Math.min(Integer.MAX_VALUE, settings.requestTimeout().toMillis());
    WebClientOptions options =
        new WebClientOptions()
            .setUserAgent("virtsaga-provider-vsphere")
            .setFollowRedirects(false)
            .setConnectTimeout(timeout)
            .setKeepAlive(true)
            .setMaxPoolSize(8);
    VimSettings.Tls tls = settings.tls();
    if (tls.insecure()) {
      options.setTrustAll(true).setVerifyHost(false);
    } else if (tls.trustedCertificatePem() != null) {
      options.setTrustOptions(
          new PemTrustOptions()
              .addCertValue(io.vertx.core.buffer.Buffer.buffer(tls.trustedCertificatePem())));
    }
    return options;
  }
}
