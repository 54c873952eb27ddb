package dev.virtsaga.providers.vsphere;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/** vim25 SOAP envelopes out, DOM in: the XML edge of {@link VimClient}. No state. */
final class Soap {
  static final String VIM25 = "urn:vim25";
  static final String ENVELOPE_NS = "http://schemas.xmlsoap.org/soap/envelope/";
  static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";

  private static final DocumentBuilderFactory FACTORY = factory();

  private Soap() {}

  /** A whole request: {@code <method xmlns="urn:vim25"><_this …/>inner</method>} in an envelope. */
  static String envelope(String method, ManagedObjectReference self, String inner) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        + "<soapenv:Envelope xmlns:soapenv=\""
        + ENVELOPE_NS
        + "\" xmlns:xsi=\""
        + XSI
        + "\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><soapenv:Body><"
        + method
        + " xmlns=\""
        + VIM25
        + "\">"
        + moRef("_this", self)
        + inner
        + "</"
        + method
        + "></soapenv:Body></soapenv:Envelope>";
  }

  /** {@code <name type="T">value</name>}. */
  static String moRef(String name, ManagedObjectReference ref) {
    return "<"
        + name
        + " type=\""
        + escape(ref.type())
        + "\">"
        + escape(ref.value())
        + "</"
        + name
        + ">";
  }

  /** {@code <name>text</name>}, the text escaped. */
  static String element(String name, String text) {
    return "<" + name + ">" + escape(text) + "</" + name + ">";
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&apos;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * Parses an answer (namespace-aware, no DTDs or external entities).
   *
   * @throws IllegalArgumentException if it is not well-formed XML
   */
  static Document parse(String xml) {
    try {
      DocumentBuilder builder = FACTORY.newDocumentBuilder();
      builder.setErrorHandler(null);
      return builder.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    } catch (ParserConfigurationException | SAXException | IOException e) {
      throw new IllegalArgumentException("not XML: " + e.getMessage(), e);
    }
  }

  /** The first element child of the envelope's Body: the method's response or a Fault. */
  static Optional<Element> bodyContent(Document doc) {
    Element root = doc.getDocumentElement();
    if (root == null) {
      return Optional.empty();
    }
    return child(root, "Body").flatMap(Soap::firstElement);
  }

  /** The element children of {@code parent} with that local name, any namespace. */
  static List<Element> children(Element parent, String localName) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && localName.equals(e.getLocalName())) {
        out.add(e);
      }
    }
    return out;
  }

  static Optional<Element> child(Element parent, String localName) {
    List<Element> all = children(parent, localName);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
  }

  static Optional<Element> firstElement(Element parent) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  static String childText(Element parent, String localName) {
    return child(parent, localName).map(Element::getTextContent).orElse("");
  }

  /**
   * The {@code <returnval>} of a method's response as a reference.
   *
   * @param missing what went wrong when there is none (a RETRYABLE failure)
   */
  static ManagedObjectReference returnMoRef(Element response, String missing) {
    return child(response, "returnval")
        .map(Soap::toMoRef)
        .orElseThrow(
            () ->
                new dev.virtsaga.providers.spi.ProviderException(
                    dev.virtsaga.providers.spi.ErrorType.RETRYABLE, missing));
  }

  /** A {@code <x type="T">value</x>} element as a reference. */
  static ManagedObjectReference toMoRef(Element e) {
    return new ManagedObjectReference(e.getAttribute("type"), e.getTextContent().trim());
  }

  /** The {@code xsi:type} of an element without its prefix, or empty. */
  static String xsiType(Element e) {
    String type = e.getAttributeNS(XSI, "type");
    int colon = type.indexOf(':');
    return colon < 0 ? type : type.substring(colon + 1);
  }

  /**
   * The fault type a {@code <soapenv:Fault>} names in its detail ({@code InvalidLogin}), or empty
   * when it names none.
   */
  static String faultType(Element fault) {
    return child(fault, "detail")
        .flatMap(Soap::firstElement)
        .map(
            detail -> {
              String type = xsiType(detail);
              if (!type.isEmpty()) {
                return type;
              }
              String name = detail.getLocalName();
              return name.endsWith("Fault") ? name.substring(0, name.length() - 5) : name;
            })
        .orElse("");
  }

  private static DocumentBuilderFactory factory() {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setExpandEntityReferences(false);
    f.setXIncludeAware(false);
    try {
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("the JDK's XML parser cannot be secured", e);
    }
    return f;
  }
}
