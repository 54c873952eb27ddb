package dev.virtsaga.devstack.vcsim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.devstack.Ports;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** vcsim started through {@link Vcsim}, spoken to in raw vim25 SOAP over the JDK HttpClient. */
class VcsimTest {

  private static final String VIM25 = "urn:vim25";
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .sslContext(Vcsim.insecureSslContext()) // self-signed certificate, loopback only
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private Vcsim vcsim;

  @AfterEach
  void stopVcsim() {
    if (vcsim != null) {
      vcsim.stop();
    }
  }

  @Test
  void defaultInventoryIsAVCenterWithALoginAndTheTemplate() throws Exception {
    // Given vcsim with the default inventory
    vcsim = new Vcsim(VcsimInventory.defaults()).start();
    assertThat(vcsim.sdkUrl().toString()).isEqualTo("https://127.0.0.1:" + vcsim.port() + "/sdk");
    assertThat(vcsim.templatePath()).isEqualTo("/DC0/vm/template-small");

    // When we read the service content, it is a vCenter
    Document content =
        soap(
            null,
            "<RetrieveServiceContent xmlns=\"urn:vim25\">"
                + "<_this type=\"ServiceInstance\">ServiceInstance</_this>"
                + "</RetrieveServiceContent>");
    assertThat(text(content, "apiType")).isEqualTo("VirtualCenter");
    String sessionManager = text(content, "sessionManager");
    String searchIndex = text(content, "searchIndex");
    String propertyCollector = text(content, "propertyCollector");

    // And log in with the configured credentials, we get a session cookie
    HttpResponse<String> login =
        post(
            null,
            "<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">"
                + sessionManager
                + "</_this><userName>"
                + vcsim.username()
                + "</userName><password>"
                + vcsim.password()
                + "</password></Login>");
    assertThat(login.statusCode()).isEqualTo(200);
    String cookie =
        login.headers().allValues("Set-Cookie").stream()
            .filter(c -> c.startsWith("vmware_soap_session="))
            .map(c -> c.split(";", 2)[0])
            .findFirst()
            .orElseThrow(() -> new AssertionError("no session cookie: " + login.headers()));
    assertThat(text(parse(login.body()), "userName")).isEqualTo(vcsim.username());

    // Then the template is found by its inventory path, powered off and marked as template
    Document found =
        soap(
            cookie,
            "<FindByInventoryPath xmlns=\"urn:vim25\"><_this type=\"SearchIndex\">"
                + searchIndex
                + "</_this><inventoryPath>/DC0/vm/template-small</inventoryPath>"
                + "</FindByInventoryPath>");
    Element vm = first(found, "returnval");
    assertThat(vm.getAttribute("type")).isEqualTo("VirtualMachine");
    Document props =
        soap(
            cookie,
            "<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">"
                + propertyCollector
                + "</_this><specSet><propSet><type>VirtualMachine</type>"
                + "<pathSet>config.template</pathSet><pathSet>runtime.powerState</pathSet>"
                + "<pathSet>config.hardware.numCPU</pathSet></propSet>"
                + "<objectSet><obj type=\"VirtualMachine\">"
                + vm.getTextContent()
                + "</obj></objectSet></specSet><options/></RetrievePropertiesEx>");
    assertThat(properties(props))
        .containsExactlyInAnyOrder(
            "config.template=true", "runtime.powerState=poweredOff", "config.hardware.numCPU=1");

    // And the cluster's three hosts are there
    for (String host : List.of("DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2")) {
      Document h =
          soap(
              cookie,
              "<FindByInventoryPath xmlns=\"urn:vim25\"><_this type=\"SearchIndex\">"
                  + searchIndex
                  + "</_this><inventoryPath>/DC0/host/DC0_C0/"
                  + host
                  + "</inventoryPath></FindByInventoryPath>");
      assertThat(first(h, "returnval").getAttribute("type")).isEqualTo("HostSystem");
    }

    // When it is stopped, the port is closed
    int port = vcsim.port();
    vcsim.stop();
    assertThat(vcsim.isAlive()).isFalse();
    assertThat(Ports.isListening("127.0.0.1", port)).isFalse();
  }

  @Test
  void customInventoryAndCredentialsAreHonouredAcrossARestart() throws Exception {
    // Given two clusters of two hosts, no standalone host, a named template and own credentials
    VcsimInventory inventory =
        VcsimInventory.defaults()
            .withClusters(2, 2)
            .withStandaloneHosts(0)
            .withDatastores(2)
            .withVms(1, false)
            .withTemplate("tpl-medium", 2, 2048);
    vcsim = new Vcsim(inventory, "admin", "s3cret", null).start();

    // When a wrong password is sent, Then vcsim answers an InvalidLogin fault
    HttpResponse<String> bad =
        post(
            null,
            "<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this>"
                + "<userName>admin</userName><password>wrong</password></Login>");
    assertThat(bad.statusCode()).isEqualTo(500);
    assertThat(bad.body()).contains("InvalidLogin");

    // When it is killed and started again, Then it serves on the same port, with the inventory
    int port = vcsim.port();
    vcsim.kill();
    vcsim.start();
    assertThat(vcsim.port()).isEqualTo(port);
    assertThat(vcsim.templatePath()).isEqualTo("/DC0/vm/tpl-medium");
    String cookie = login("admin", "s3cret");
    for (String path :
        List.of("/DC0/host/DC0_C1/DC0_C1_H1", "/DC0/vm/tpl-medium", "/DC0/vm/DC0_C1_RP0_VM0")) {
      Document found =
          soap(
              cookie,
              "<FindByInventoryPath xmlns=\"urn:vim25\"><_this type=\"SearchIndex\">SearchIndex"
                  + "</_this><inventoryPath>"
                  + path
                  + "</inventoryPath></FindByInventoryPath>");
      assertThat(found.getElementsByTagNameNS(VIM25, "returnval").getLength())
          .as("found %s", path)
          .isEqualTo(1);
    }
  }

  private String login(String user, String password) throws Exception {
    HttpResponse<String> login =
        post(
            null,
            "<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this>"
                + "<userName>"
                + user
                + "</userName><password>"
                + password
                + "</password></Login>");
    assertThat(login.statusCode()).isEqualTo(200);
    return login.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
  }

  private Document soap(String cookie, String body) throws Exception {
    HttpResponse<String> response = post(cookie, body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return parse(response.body());
  }

  private HttpResponse<String> post(String cookie, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(vcsim.sdkUrl().toString()))
            .timeout(Duration.ofSeconds(5))
            .header("Content-Type", "text/xml; charset=utf-8")
            .header("SOAPAction", "urn:vim25/6.5")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                        + "<soapenv:Envelope"
                        + " xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">"
                        + "<soapenv:Body>"
                        + body
                        + "</soapenv:Body></soapenv:Envelope>",
                    StandardCharsets.UTF_8));
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Document parse(String xml) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    return factory
        .newDocumentBuilder()
        .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  private static Element first(Document doc, String localName) {
    NodeList nodes = doc.getElementsByTagNameNS(VIM25, localName);
    assertThat(nodes.getLength()).as("<%s> in the answer", localName).isPositive();
    return (Element) nodes.item(0);
  }

  private static String text(Document doc, String localName) {
    return first(doc, localName).getTextContent();
  }

  /** {@code name=value} of every propSet of a RetrievePropertiesEx answer. */
  private static List<String> properties(Document doc) {
    NodeList sets = doc.getElementsByTagNameNS(VIM25, "propSet");
    return IntStream.range(0, sets.getLength())
        .mapToObj(i -> (Element) sets.item(i))
        .map(
            set ->
                set.getElementsByTagNameNS(VIM25, "name").item(0).getTextContent()
                    + "="
                    + set.getElementsByTagNameNS(VIM25, "val").item(0).getTextContent())
        .toList();
  }
}
