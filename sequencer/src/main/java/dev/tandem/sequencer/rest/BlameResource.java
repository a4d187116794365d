package dev.tandem.sequencer.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.AuthorRun;
import dev.tandem.sequencer.document.Sequencers;
import dev.tandem.sequencer.protocol.Ids;
import dev.tandem.sequencer.protocol.Json;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /api/docs/{id}/blame?rev=N} (read): who last inserted each code point of the text at
 * revision N (the head without {@code rev}), as runs in text order, from the nearest checkpoint's
 * stored authorship plus a replay.
 */
@Path("docs/{id}/blame")
@Singleton
public final class BlameResource {
  private final Sequencers sequencers;
  private final Access access;

  @Inject
  BlameResource(Sequencers sequencers, Access access) {
    this.sequencers = sequencers;
    this.access = access;
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public void blame(
      @PathParam("id") String id,
      @QueryParam("rev") String rev,
      @QueryParam("access_token") String token,
      @Context HttpHeaders headers,
      @Suspended AsyncResponse response) {
    DocumentResource.answer(
        response,
        () -> {
          String docId = Ids.checkDocumentId(id);
          access.read(headers, token, docId);
          CompletableFuture<Long> revision =
              rev != null
                  ? CompletableFuture.completedFuture(DocumentResource.parseLong("rev", rev))
                  : sequencers.archive(archive -> archive.header(docId).head());
          return revision.thenCompose(
              r ->
                  sequencers
                      .archive(archive -> archive.blame(docId, r))
                      .thenApply(
                          runs -> {
                            ObjectNode body = Json.object();
                            body.put("id", docId);
                            body.put("rev", r);
                            ArrayNode items = body.putArray("runs");
                            for (AuthorRun run : runs) {
                              ObjectNode item = items.addObject();
                              if (run.userId() == null) {
                                item.putNull("user");
                              } else {
                                item.put("user", run.userId());
                              }
                              item.put("rev", run.revision());
                              item.put("length", run.length());
                            }
                            return Response.ok(Json.write(body), MediaType.APPLICATION_JSON_TYPE)
                                .build();
                          }));
        });
  }
}
