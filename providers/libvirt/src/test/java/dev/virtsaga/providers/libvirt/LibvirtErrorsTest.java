package dev.virtsaga.providers.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.libvirt.Error.ErrorDomain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

class LibvirtErrorsTest {
  private static TestDriver driver;

  @BeforeAll
  static void connect() throws LibvirtException {
    driver = new TestDriver();
  }

  @AfterAll
  static void disconnect() throws LibvirtException {
    driver.close();
  }

  @Test
  void codesMapToTheirErrorTypes() {
    assertThat(type(ErrorNumber.VIR_ERR_NO_DOMAIN)).isEqualTo(ErrorType.NOT_FOUND);
    assertThat(type(ErrorNumber.VIR_ERR_NO_STORAGE_VOL)).isEqualTo(ErrorType.NOT_FOUND);
    assertThat(type(ErrorNumber.VIR_ERR_INVALID_ARG)).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(type(ErrorNumber.VIR_ERR_XML_DETAIL)).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(type(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED)).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(type(ErrorNumber.VIR_ERR_OPERATION_INVALID)).isEqualTo(ErrorType.CONFLICT);
    assertThat(type(ErrorNumber.VIR_ERR_DOM_EXIST)).isEqualTo(ErrorType.CONFLICT);
    assertThat(type(ErrorNumber.VIR_ERR_NO_SUPPORT)).isEqualTo(ErrorType.NOT_SUPPORTED);
    assertThat(type(ErrorNumber.VIR_ERR_AUTH_FAILED)).isEqualTo(ErrorType.UNAUTHORIZED);
    assertThat(type(ErrorNumber.VIR_ERR_ACCESS_DENIED)).isEqualTo(ErrorType.UNAUTHORIZED);
    assertThat(type(ErrorNumber.VIR_ERR_OPERATION_TIMEOUT)).isEqualTo(ErrorType.TIMEOUT);
    assertThat(type(ErrorNumber.VIR_ERR_NO_CONNECT)).isEqualTo(ErrorType.UNAVAILABLE);
    assertThat(type(ErrorNumber.VIR_ERR_RPC)).isEqualTo(ErrorType.UNAVAILABLE);
    assertThat(type(ErrorNumber.VIR_ERR_INTERNAL_ERROR)).isEqualTo(ErrorType.RETRYABLE);
    assertThat(type(ErrorNumber.VIR_ERR_OPERATION_FAILED)).isEqualTo(ErrorType.RETRYABLE);
    assertThat(LibvirtErrors.typeOf(null, null)).isEqualTo(ErrorType.RETRYABLE);
  }

  @Test
  void aSystemErrorIsAConnectionLossOnlyFromTheRpcLayer() {
    assertThat(
            LibvirtErrors.isConnectionLoss(
                ErrorNumber.VIR_ERR_SYSTEM_ERROR, ErrorDomain.VIR_FROM_RPC))
        .isTrue();
    assertThat(
            LibvirtErrors.isConnectionLoss(
                ErrorNumber.VIR_ERR_SYSTEM_ERROR, ErrorDomain.VIR_FROM_STORAGE))
        .isFalse();
    assertThat(LibvirtErrors.typeOf(ErrorNumber.VIR_ERR_SYSTEM_ERROR, ErrorDomain.VIR_FROM_STORAGE))
        .isEqualTo(ErrorType.RETRYABLE);
  }

  @Test
  void realLibvirtErrorsAreMapped() {
    // When / Then: an unknown domain
    assertThat(mapped(() -> driver.connect.domainLookupByName("no-such-domain")))
        .isEqualTo(ErrorType.NOT_FOUND);
    // a broken definition
    assertThat(mapped(() -> driver.connect.domainDefineXML("<domain type='test'><name>x")))
        .isEqualTo(ErrorType.INVALID_SPEC);
    // a definition the driver refuses
    assertThat(
            mapped(
                () ->
                    driver.connect.domainDefineXML(
                        "<domain type='test'><memory>1</memory><os><type>hvm</type></os></domain>")))
        .isEqualTo(ErrorType.INVALID_SPEC);
  }

  private interface LibvirtCall {
    Object run() throws LibvirtException;
  }

  private static ErrorType mapped(LibvirtCall call) {
    try {
      call.run();
    } catch (LibvirtException e) {
      ProviderException p = LibvirtErrors.toProviderException("test", e);
      assertThat(p.getCause()).isSameAs(e);
      assertThat(p.getMessage()).startsWith("test: ");
      return p.type();
    }
    throw new AssertionError("libvirt accepted the call");
  }

  private static ErrorType type(ErrorNumber code) {
    return LibvirtErrors.typeOf(code, ErrorDomain.VIR_FROM_NONE);
  }
}
