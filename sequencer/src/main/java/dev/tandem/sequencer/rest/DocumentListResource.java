package dev.tandem.sequencer.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tandem.persistence.DocumentSummary;
import dev.tandem.sequencer.auth.Principal;
import dev.tandem.sequencer.auth.Role;
import dev.tandem.sequencer.document.Sequencers;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /api/docs}: the documents, paged by id ({@code after}, {@code limit}), only those the
 * caller may read, each with its head, its number of ops and checkpoints and its times. It names no
 * one document, so it authenticates the caller itself and asks about each document of the page.
 */
@Path("docs")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class DocumentListResource {
  private static final int DEFAULT_PAGE = 100;
  private static final int MAX_PAGE = 1000;

  /** {@code next} is the {@code after} of the following page, null on the last. */
  public record DocumentPage(List<DocumentEntry> docs, String next) {}

  /** {@code ops} counts the ops after the first checkpoint. */
  public record DocumentEntry(
      String id,
      @JsonProperty("rev") long headRevision,
      long ops,
      long checkpoints,
      String created,
      String updated) {
    static DocumentEntry of(DocumentSummary doc) {
      return new DocumentEntry(
          doc.docId(),
          doc.headRevision(),
          doc.ops(),
          doc.checkpoints(),
          doc.createdAt().toString(),
          doc.updatedAt().toString());
    }
  }

  private final Sequencers sequencers;
  private final Access access;

  @Inject
  DocumentListResource(Sequencers sequencers, Access access) {
    this.sequencers = sequencers;
    this.access = access;
  }

  @GET
  @Operation(summary = "The documents the caller may read, by id, a page at a time")
  public CompletionStage<DocumentPage> list(
      @QueryParam("after") String after,
      @QueryParam("limit") Long limit,
      @Context ContainerRequestContext request) {
    Principal principal = access.authenticate(request);
    int size = Endpoint.pageSize(limit, DEFAULT_PAGE, MAX_PAGE);
    return sequencers
        .archive(archive -> archive.list(after, size))
        .thenApply(
            page ->
                new DocumentPage(
                    page.stream()
                        .filter(doc -> access.allows(principal, doc.docId(), Role.READ))
                        .map(DocumentEntry::of)
                        .toList(),
                    page.size() < size ? null : page.get(page.size() - 1).docId()));
  }
}
