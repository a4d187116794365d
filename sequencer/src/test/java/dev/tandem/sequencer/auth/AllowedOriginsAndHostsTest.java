package dev.tandem.sequencer.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class AllowedOriginsAndHostsTest {
  @Test
  void listedOriginsCompareAsOriginsDo() {
    AllowedOrigins origins =
        AllowedOrigins.parse("https://Edit.Example.com, http://localhost:5173");
    assertTrue(origins.allows("https://edit.example.com", "tandem.internal:8080"));
    assertTrue(origins.allows("https://edit.example.com:443", "tandem.internal:8080"));
    assertTrue(origins.allows("http://localhost:5173", "localhost:8080"));
    assertFalse(origins.allows("http://edit.example.com", "tandem.internal:8080"), "scheme");
    assertFalse(origins.allows("https://edit.example.com.evil.test", "tandem.internal:8080"));
    assertFalse(origins.allows("http://localhost:5174", "tandem.internal:8080"), "port");
    assertFalse(origins.allows("null", "tandem.internal:8080"));
    assertFalse(origins.allows("https://edit.example.com/path", "tandem.internal:8080"));
  }

  @Test
  void withNoListOnlyTheSameOriginIsAllowed() {
    AllowedOrigins same = AllowedOrigins.sameOrigin();
    assertTrue(same.allows("http://localhost:8080", "localhost:8080"));
    assertTrue(same.allows("https://edit.example.com", "edit.example.com"), "behind a TLS proxy");
    assertTrue(same.allows("https://edit.example.com", "edit.example.com:443"));
    assertTrue(same.allows("http://[::1]:8080", "[::1]:8080"));
    assertFalse(same.allows("http://evil.test", "localhost:8080"));
    assertFalse(same.allows("http://localhost:9999", "localhost:8080"));
    assertFalse(same.allows("http://localhost:8080", null));
    assertTrue(same.allows(null, "localhost:8080"), "not a browser page");
    assertEquals(same.toString(), AllowedOrigins.parse("").toString());
  }

  @Test
  void aStarAllowsEveryOrigin() {
    AllowedOrigins any = AllowedOrigins.parse("*");
    assertTrue(any.allowsAny());
    assertTrue(any.allows("http://evil.test", "localhost:8080"));
    assertTrue(any.allows("null", "localhost:8080"));
  }

  @Test
  void aSettingThatIsNotAnOriginIsRefused() {
    for (String bad :
        new String[] {"edit.example.com", "ftp://x.test", "https://x.test/app", "*.x.test"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> AllowedOrigins.parse(bad));
      assertTrue(e.getMessage().startsWith("allowed origin '" + bad + "'"), e.getMessage());
    }
    assertEquals(Optional.of("http://x.test:8080"), AllowedOrigins.normalize("HTTP://X.test:8080"));
  }

  @Test
  void onLoopbackOnlyLoopbackNamesAreServedByDefault() {
    AllowedHosts loopback = AllowedHosts.parse("", true);
    assertTrue(loopback.allows("localhost:8080"));
    assertTrue(loopback.allows("LOCALHOST."));
    assertTrue(loopback.allows("127.0.0.1:8080"));
    assertTrue(loopback.allows("[::1]:8080"));
    assertFalse(loopback.allows("rebind.evil.test:8080"), "DNS rebinding");
    assertFalse(loopback.allows(null));

    assertTrue(AllowedHosts.parse("", false).allows("anything.test"));
  }

  @Test
  void listedHostsAreServedWhateverThePort() {
    AllowedHosts hosts = AllowedHosts.parse("edit.example.com, [2001:db8::1]", false);
    assertTrue(hosts.allows("Edit.Example.com"));
    assertTrue(hosts.allows("edit.example.com:8443"));
    assertTrue(hosts.allows("[2001:db8::1]:8080"));
    assertFalse(hosts.allows("localhost:8080"));
    assertFalse(hosts.allows("example.com"));
    assertTrue(AllowedHosts.parse("*", true).allows("anything.test"));
    assertThrows(
        IllegalArgumentException.class, () -> AllowedHosts.parse("edit.example.com:443", false));
    assertThrows(IllegalArgumentException.class, () -> AllowedHosts.parse("http://x.test", false));
  }
}
