package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.rest.RestApplication;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /api/openapi.json} describes the REST API the server serves: every method of every
 * registered resource (as Jersey's own resource model lists them) is in it, nothing else is, and
 * every call it documents answers on a real server (not 404 or 405).
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class OpenApiTest {
  private static final Set<String> METHODS =
      Set.of("get", "put", "post", "delete", "patch", "head", "options");

  private static TandemServer server;

  @BeforeAll
  static void start() {
    // Short: the SSE stream this test opens holds up a graceful shutdown until then.
    server = Servers.start(Servers.config().shutdownGrace(Duration.ofMillis(200)).build());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void theDescriptionListsEveryServedCallAndEachOfThemAnswers() throws Exception {
    {
      Http.Reply reply = Http.get(server, "/api/openapi.json");
      assertEquals(200, reply.status(), reply.body().toString());
      JsonNode description = reply.body();
      assertTrue(description.path("openapi").asText().startsWith("3."), description.toString());
      assertEquals("/api", description.path("servers").path(0).path("url").asText());

      List<String[]> documented = new ArrayList<>();
      description
          .path("paths")
          .fields()
          .forEachRemaining(
              path ->
                  path.getValue()
                      .fieldNames()
                      .forEachRemaining(
                          method -> {
                            if (METHODS.contains(method)) {
                              documented.add(new String[] {method.toUpperCase(), path.getKey()});
                            }
                          }));
      Set<String> described = new TreeSet<>();
      documented.forEach(call -> described.add(call[0] + " /api" + call[1]));
      assertEquals(served(), described);

      String doc = Servers.freshDoc();
      assertEquals(201, Http.put(server, "/api/docs/" + doc, "{\"text\":\"abc\"}").status());
      documented.sort(Comparator.comparing(call -> call[0].equals("DELETE"))); // deletes last
      for (String[] call : documented) {
        int status = status(call[0], "/api" + call[1].replace("{id}", doc));
        String what = call[0] + " " + call[1] + " answered " + status;
        assertFalse(status == 404 || status == 405, what);
        assertTrue(status < 500, what);
      }
    }
  }

  @Test
  void bodiesAndAnswersAreDescribedByTheirRecords() {
    {
      JsonNode description = Http.get(server, "/api/openapi.json").body();
      JsonNode schemas = description.path("components").path("schemas");
      JsonNode submission = schemas.path("Submission").path("properties");
      assertEquals("integer", submission.path("rev").path("type").asText(), schemas.toString());
      assertEquals("array", submission.path("op").path("type").asText(), schemas.toString());
      JsonNode text = schemas.path("DocumentText").path("properties");
      assertEquals("string", text.path("text").path("type").asText(), schemas.toString());
      System.out.println("OPENAPI " + description);
      JsonNode submit = description.path("paths").path("/docs/{id}/ops").path("post");
      assertTrue(
          submit.path("requestBody").toString().contains("#/components/schemas/Submission"),
          submit.toString());
      assertTrue(
          submit.path("responses").toString().contains("#/components/schemas/Submitted"),
          submit.toString());
    }
  }

  /** Every method and path Jersey serves under /api, from its model of the registered classes. */
  private static Set<String> served() {
    Set<String> calls = new TreeSet<>();
    for (Class<?> resource : RestApplication.RESOURCES) {
      Resource model = Resource.from(resource);
      collect(model, "/api/" + model.getPath(), calls);
    }
    return calls;
  }

  private static void collect(Resource resource, String path, Set<String> calls) {
    String normalized = path.replaceAll("/+", "/").replaceAll("(.)/$", "$1");
    for (ResourceMethod method : resource.getResourceMethods()) {
      calls.add(method.getHttpMethod() + " " + normalized);
    }
    for (Resource child : resource.getChildResources()) {
      collect(child, path + "/" + child.getPath(), calls);
    }
  }

  /** The status of a call with an empty JSON object as its body; a stream's is read, then shut. */
  private static int status(String method, String path) throws IOException, InterruptedException {
    HttpRequest.BodyPublisher body =
        method.equals("GET") || method.equals("DELETE")
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString("{}");
    HttpResponse<InputStream> response =
        Http.client()
            .send(
                Http.request(server, path).method(method, body).build(),
                HttpResponse.BodyHandlers.ofInputStream());
    response.body().close();
    return response.statusCode();
  }
}
