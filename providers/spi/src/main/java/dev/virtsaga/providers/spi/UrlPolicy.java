package dev.virtsaga.providers.spi;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Which URLs disk import and export may touch (an allow-list, SSRF-safe by default).
 *
 * <ul>
 *   <li>{@code file:} only under one of {@link #fileRoots()}, after resolving {@code ..} and
 *       symbolic links of the existing part of the path.
 *   <li>{@code http:} / {@code https:} only to hosts whose every address is public: loopback,
 *       link-local, private (RFC 1918, IPv6 unique-local), carrier-grade NAT, multicast and the
 *       unspecified address are refused, unless the host is in {@link #allowedHosts()} or {@link
 *       #allowPrivateNetworks()} is set.
 *   <li>Anything else (ftp, URLs with credentials, …) is refused.
 * </ul>
 *
 * <p>A refusal is a {@link ProviderException} of type {@link ErrorType#INVALID_SPEC} naming the
 * rule. The check resolves host names; callers should connect to the checked address, or accept
 * that DNS may change in between.
 *
 * @param fileRoots directories {@code file:} URLs may point into; empty forbids {@code file:}
 * @param allowedHosts host names or literal addresses allowed even when they are not public
 * @param allowPrivateNetworks whether non-public addresses are allowed for every host
 * @param resolver how host names are resolved (tests replace it)
 */
public record UrlPolicy(
    List<Path> fileRoots,
    Set<String> allowedHosts,
    boolean allowPrivateNetworks,
    Resolver resolver) {

  /** Resolves a host name to its addresses. */
  @FunctionalInterface
  public interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  public UrlPolicy {
    fileRoots =
        fileRoots == null
            ? List.of()
            : fileRoots.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    allowedHosts =
        allowedHosts == null
            ? Set.of()
            : Set.copyOf(allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
    resolver = resolver == null ? InetAddress::getAllByName : resolver;
  }

  /** Only {@code file:} URLs under the given directories; no network. */
  public static UrlPolicy files(Path... roots) {
    return new UrlPolicy(List.of(roots), Set.of(), false, null);
  }

  /** Nothing at all is allowed. */
  public static UrlPolicy denyAll() {
    return new UrlPolicy(List.of(), Set.of(), false, null);
  }

  public UrlPolicy withAllowedHosts(Set<String> hosts) {
    return new UrlPolicy(fileRoots, hosts, allowPrivateNetworks, resolver);
  }

  public UrlPolicy withPrivateNetworks(boolean allow) {
    return new UrlPolicy(fileRoots, allowedHosts, allow, resolver);
  }

  public UrlPolicy withResolver(Resolver r) {
    return new UrlPolicy(fileRoots, allowedHosts, allowPrivateNetworks, r);
  }

  /**
   * Checks a URL.
   *
   * @return the parsed, normalised URI
   * @throws ProviderException {@link ErrorType#INVALID_SPEC} when the URL is not allowed
   */
  public URI check(String url) {
    Objects.requireNonNull(url, "url");
    URI uri;
    try {
      uri = new URI(url).normalize();
    } catch (URISyntaxException e) {
      throw refused(url, "not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    return switch (scheme) {
      case "file" -> {
        checkFile(url, uri);
        yield uri;
      }
      case "http", "https" -> {
        checkHost(url, uri);
        yield uri;
      }
      default -> throw refused(url, "scheme '" + scheme + "' is not allowed (file, http, https)");
    };
  }

  /**
   * Checks a {@code file:} URL and returns its path.
   *
   * @throws ProviderException {@link ErrorType#INVALID_SPEC} when the URL is not an allowed file
   */
  public Path checkFile(String url) {
    URI uri = check(url);
    if (!"file".equalsIgnoreCase(uri.getScheme())) {
      throw refused(url, "only file: URLs are supported here");
    }
    return Path.of(uri);
  }

  private void checkFile(String url, URI uri) {
    if (uri.getAuthority() != null && !uri.getAuthority().isEmpty()) {
      throw refused(url, "file URLs must not name a host");
    }
    Path path;
    try {
      path = Path.of(uri).toAbsolutePath().normalize();
    } catch (IllegalArgumentException e) {
      throw refused(url, "not a file path");
    }
    Path real = realPathOfExistingPart(path);
    for (Path root : fileRoots) {
      Path realRoot = realPathOfExistingPart(root);
      if (!real.equals(realRoot) && real.startsWith(realRoot)) {
        return;
      }
    }
    throw refused(url, "files are allowed only under " + fileRoots);
  }

  /** The real path of the longest existing prefix, with the rest appended (symlinks resolved). */
  private static Path realPathOfExistingPart(Path path) {
    Path existing = path;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return path;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(path)).normalize();
    } catch (IOException e) {
      return path;
    }
  }

  private void checkHost(String url, URI uri) {
    if (uri.getRawUserInfo() != null) {
      throw refused(url, "URLs with credentials are not allowed");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw refused(url, "no host");
    }
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (allowPrivateNetworks || allowedHosts.contains(bare.toLowerCase(Locale.ROOT))) {
      return;
    }
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(bare);
    } catch (UnknownHostException e) {
      throw refused(url, "host " + bare + " does not resolve");
    }
    if (addresses == null || addresses.length == 0) {
      throw refused(url, "host " + bare + " does not resolve");
    }
    for (InetAddress a : addresses) {
      if (!isPublic(a)) {
        throw refused(
            url, "host " + bare + " resolves to non-public address " + a.getHostAddress());
      }
    }
  }

  /**
   * Whether an address is public: not loopback, link-local, private, CGNAT, multicast, unspecified,
   * documentation-only or IPv4-mapped onto one of those.
   */
  public static boolean isPublic(InetAddress a) {
    if (a.isAnyLocalAddress()
        || a.isLoopbackAddress()
        || a.isLinkLocalAddress()
        || a.isSiteLocalAddress()
        || a.isMulticastAddress()) {
      return false;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int b0 = b[0] & 0xff;
      int b1 = b[1] & 0xff;
      return !(b0 == 0 // this network
          || (b0 == 100 && b1 >= 64 && b1 < 128) // carrier-grade NAT
          || (b0 == 192 && b1 == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
          || b0 >= 240); // reserved, broadcast
    }
    if (a instanceof Inet6Address) {
      int b0 = b[0] & 0xff;
      if ((b0 & 0xfe) == 0xfc) {
        return false; // unique local fc00::/7
      }
      boolean mapped = true; // ::ffff:a.b.c.d
      for (int i = 0; i < 10; i++) {
        mapped &= b[i] == 0;
      }
      if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
        try {
          return isPublic(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
        } catch (UnknownHostException e) {
          return false;
        }
      }
    }
    return true;
  }

  private static ProviderException refused(String url, String why) {
    return ProviderException.invalidSpec("URL not allowed (" + why + "): " + url);
  }
}
