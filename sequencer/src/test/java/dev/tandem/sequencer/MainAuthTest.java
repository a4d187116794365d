package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.auth.HmacSecret;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: the shipped {@code main} as an operator starts it. Given a secret file it requires
 * signed tokens and prints the key source, not the key; without one it warns that anyone who can
 * reach the port can read and write every document.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class MainAuthTest {
  private static final String SECRET = "main-auth-test-secret-0123456789-abcdefghijklmnop";

  @Test
  void aSecretFileMakesMainRequireTokensAndPrintOnlyTheKeySource(@TempDir Path dir)
      throws Exception {
    Path file = Files.writeString(dir.resolve("tandem-secret"), SECRET + "\n");
    String doc = Servers.freshDoc();
    try (ChildServer server =
        ChildServer.start("main-auth", List.of(), List.of("--auth-secret-file=" + file))) {
      Http.Reply anonymous = Http.put(server.httpUri(), "/api/docs/" + doc, "{\"text\":\"x\"}");
      assertEquals(401, anonymous.status(), anonymous.body().toString());
      assertEquals("unauthorized", anonymous.body().path("code").asText());

      String token = HmacSecret.fromValue(SECRET, "test").sign(claims(doc));
      Http.Reply created =
          Http.send(
              Http.request(server.httpUri(), "/api/docs/" + doc)
                  .header("Authorization", "Bearer " + token)
                  .PUT(HttpRequest.BodyPublishers.ofString("{\"text\":\"signed\"}"))
                  .build());
      assertEquals(201, created.status(), created.body().toString());

      String output = server.output();
      assertTrue(output.contains("auth=token: HS256 with a " + SECRET.length() + "-byte secret"));
      assertFalse(output.contains(SECRET), output);
      assertFalse(output.contains("--auth none"), output);
    }
  }

  @Test
  void withoutAuthenticationMainWarns() throws Exception {
    try (ChildServer server = ChildServer.start("main-no-auth", List.of(), List.of())) {
      assertEquals(200, Http.get(server.httpUri(), "/healthz").status());
      String output = server.output();
      assertTrue(
          output.contains(
              "--auth none: anyone who can reach 127.0.0.1:"
                  + server.httpUri().getPort()
                  + " can read and write every document"),
          output);
      // the one warning at start: Jersey has none (no resource "will be ignored")
      List<String> warnings = output.lines().filter(line -> line.contains("WARN")).toList();
      assertEquals(1, warnings.size(), output);
      assertTrue(warnings.get(0).contains("--auth none"), output);
    }
  }

  /** The worked example of docs/running.md: a team's own authorizer, named by --auth class:NAME. */
  @Test
  void aCustomAuthorizerClassRunsInTheShippedMain() throws Exception {
    String doc = "alice-" + Servers.freshDoc();
    try (ChildServer server =
        ChildServer.start(
            "main-auth-class",
            List.of("-Dexample.sessions=s-alice=alice,s-bob=bob"),
            List.of("--auth=class:com.example.SessionAuthorizer"))) {
      Http.Reply anonymous = Http.put(server.httpUri(), "/api/docs/" + doc, "{\"text\":\"x\"}");
      assertEquals(401, anonymous.status(), anonymous.body().toString());
      assertEquals(201, put(server, doc, "s-alice").status());
      Http.Reply bob = put(server, "alice-" + Servers.freshDoc(), "s-bob");
      assertEquals(403, bob.status(), bob.body().toString());
      assertEquals("forbidden", bob.body().path("code").asText());
      Http.Reply submitted =
          Http.send(
              Http.request(server.httpUri(), "/api/docs/" + doc + "/ops")
                  .header("Authorization", "Bearer s-alice")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"rev\":0,\"op\":[1,\"!\"]}"))
                  .build());
      assertEquals(200, submitted.status(), submitted.body().toString());
      assertEquals("alice", opsUser(server, doc));
      String output = server.output();
      assertTrue(output.contains("auth=class com.example.SessionAuthorizer"), output);
      assertFalse(output.contains("--auth none"), output);
    }
  }

  @Test
  void anAuthorizerClassThatCannotBeLoadedStopsTheStart() throws Exception {
    for (String name : List.of("com.example.Missing", "java.lang.String")) {
      Process process =
          new ProcessBuilder(
                  ProcessHandle.current().info().command().orElse("java"),
                  "-cp",
                  System.getProperty("java.class.path"),
                  TandemServer.class.getName(),
                  "--auth=class:" + name)
              .redirectErrorStream(true)
              .start();
      String output = new String(process.getInputStream().readAllBytes());
      assertEquals(2, process.waitFor(), output);
      assertTrue(output.contains("tandem: --auth class:" + name + ": "), output);
    }
  }

  private static Http.Reply put(ChildServer server, String doc, String session) {
    return Http.send(
        Http.request(server.httpUri(), "/api/docs/" + doc)
            .header("Authorization", "Bearer " + session)
            .PUT(HttpRequest.BodyPublishers.ofString("{\"text\":\"x\"}"))
            .build());
  }

  private static String opsUser(ChildServer server, String doc) {
    return Http.send(
            Http.request(server.httpUri(), "/api/docs/" + doc + "/ops")
                .header("Authorization", "Bearer s-alice")
                .GET()
                .build())
        .body()
        .path("ops")
        .get(0)
        .path("user")
        .asText();
  }

  private static JWTClaimsSet claims(String doc) {
    return new JWTClaimsSet.Builder()
        .subject("alice")
        .expirationTime(Date.from(Instant.now().plusSeconds(300)))
        .claim("tandem", Map.of("docs", Map.of(doc, "write")))
        .build();
  }
}
