package dev.tandem.sequencer.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.DocumentSummary;
import dev.tandem.sequencer.document.Sequencers;
import dev.tandem.sequencer.error.ErrorCode;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;
import dev.tandem.sequencer.protocol.Json;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * {@code GET /api/docs}: the documents, paged by id ({@code after}, {@code limit}), only those the
 * caller may read, each with its head, its number of ops and checkpoints and its times.
 */
@Path("docs")
@Singleton
public final class DocumentListResource {
  private static final int DEFAULT_PAGE = 100;
  private static final int MAX_PAGE = 1000;

  private final Sequencers sequencers;
  private final Access access;

  @Inject
  DocumentListResource(Sequencers sequencers, Access access) {
    this.sequencers = sequencers;
    this.access = access;
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public void list(
      @QueryParam("after") String after,
      @QueryParam("limit") String limit,
      @QueryParam("access_token") String token,
      @Context HttpHeaders headers,
      @Suspended AsyncResponse response) {
    DocumentResource.answer(
        response,
        () -> {
          long size = limit == null ? DEFAULT_PAGE : DocumentResource.parseLong("limit", limit);
          if (size < 1 || size > MAX_PAGE) {
            throw Errors.badRequest("limit : " + size + " (expected: 1 to " + MAX_PAGE + ")");
          }
          return sequencers
              .archive(archive -> archive.list(after, (int) size))
              .thenApply(
                  page -> {
                    ObjectNode body = Json.object();
                    ArrayNode docs = body.putArray("docs");
                    for (DocumentSummary doc : readable(page, headers, token)) {
                      ObjectNode item = docs.addObject();
                      item.put("id", doc.docId());
                      item.put("rev", doc.headRevision());
                      item.put("ops", doc.ops());
                      item.put("checkpoints", doc.checkpoints());
                      item.put("created", doc.createdAt().toString());
                      item.put("updated", doc.updatedAt().toString());
                    }
                    if (page.size() < size) {
                      body.putNull("next");
                    } else {
                      body.put("next", page.get(page.size() - 1).docId());
                    }
                    return Response.ok(Json.write(body), MediaType.APPLICATION_JSON_TYPE).build();
                  });
        });
  }

  /** The documents of {@code page} the caller may read; unauthenticated: unauthorized. */
  private List<DocumentSummary> readable(
      List<DocumentSummary> page, HttpHeaders headers, String token) {
    return page.stream()
        .filter(
            doc -> {
              try {
                access.read(headers, token, doc.docId());
                return true;
              } catch (TandemException e) {
                if (e.code() == ErrorCode.FORBIDDEN) {
                  return false;
                }
                throw e;
              }
            })
        .toList();
  }
}
