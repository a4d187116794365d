package dev.tandem.sequencer.rest;

import static dev.tandem.sequencer.protocol.Checks.nonNegative;
import static dev.tandem.sequencer.protocol.Checks.required;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tandem.ot.TextOperation;
import dev.tandem.persistence.ArchivedOp;
import dev.tandem.persistence.CheckpointInfo;
import dev.tandem.sequencer.auth.Role;
import dev.tandem.sequencer.document.Committed;
import dev.tandem.sequencer.document.Sequencers;
import dev.tandem.sequencer.document.SubmitReply;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;
import dev.tandem.sequencer.protocol.Ids;
import dev.tandem.sequencer.protocol.Ops;
import dev.tandem.sequencer.rest.Endpoint.Created;
import dev.tandem.sequencer.rest.Endpoint.Requires;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The REST API of one document under {@code /api/docs/{id}}: its text (at any revision or time),
 * creation, history, submit and checkpoints. Each method is its own work in the shape of {@link
 * Endpoint}: the role it needs, typed parameters and body, a record (or its future) as the answer.
 */
@Path("docs/{id}")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class DocumentResource {
  private static final int DEFAULT_PAGE = 1000;
  private static final int MAX_PAGE = 10_000;

  /** {@code GET /api/docs/{id}}: the text at a revision. */
  public record DocumentText(String id, @JsonProperty("rev") long revision, String text) {}

  /** The body of {@code PUT /api/docs/{id}}: the initial text, empty if left out. */
  public record NewDocument(String text) {
    public NewDocument {
      text = text == null ? "" : text;
    }
  }

  /** The answer of {@code PUT /api/docs/{id}}. */
  public record CreatedDocument(String id, @JsonProperty("rev") long revision) {}

  /** A page of the op log; {@code next} is the {@code from} of the next page, null at the head. */
  public record OpPage(List<StoredOpEntry> ops, Long next) {}

  /** One stored op: {@code op} as stored, {@code hash} its hash in the document's chain. */
  public record StoredOpEntry(
      @JsonProperty("rev") long revision,
      @JsonRawValue @ArraySchema(schema = @Schema(implementation = Object.class)) String op,
      @JsonProperty("client") String clientId,
      long seq,
      @JsonProperty("user") String userId,
      String time,
      String hash) {
    static StoredOpEntry of(ArchivedOp stored) {
      return new StoredOpEntry(
          stored.revision(),
          stored.opJson(),
          stored.clientId(),
          stored.clientSeq(),
          stored.userId(),
          stored.createdAt().toString(),
          stored.hash());
    }
  }

  /**
   * The body of {@code POST /api/docs/{id}/ops}. A named client names its seq too: (client, seq) is
   * how a resubmit is recognised, so a default seq would take a second op of that client for the
   * first one. Without a client, a fresh id is used.
   */
  public record Submission(
      @JsonProperty(value = "rev", required = true) long baseRevision,
      @JsonProperty(required = true) @ArraySchema(schema = @Schema(implementation = Object.class))
          ArrayNode op,
      @JsonProperty("client") String clientId,
      Long seq) {
    public Submission {
      nonNegative(baseRevision, "rev");
      required(op, "op");
      if (clientId != null) {
        Ids.checkClientId(clientId);
        if (seq == null) {
          throw Errors.badRequest(
              "field 'seq' is required with 'client' (a resubmit is recognised by both)");
        }
      }
      if (seq != null) {
        nonNegative(seq, "seq");
      }
    }
  }

  /** The answer of a submit: the revision the op was committed at. */
  public record Submitted(@JsonProperty("rev") long revision) {}

  public record CheckpointList(List<CheckpointEntry> checkpoints) {}

  /** {@code chain} is the chain hash at the checkpoint's revision. */
  public record CheckpointEntry(
      @JsonProperty("rev") long revision, String sha256, String chain, String time) {
    static CheckpointEntry of(CheckpointInfo info) {
      return new CheckpointEntry(
          info.revision(), info.sha256(), info.chain(), info.createdAt().toString());
    }
  }

  private final Sequencers sequencers;

  @Inject
  DocumentResource(Sequencers sequencers) {
    this.sequencers = sequencers;
  }

  @GET
  @Requires(Role.READ)
  @Operation(summary = "The text at the head, at revision rev, or at time at")
  public CompletionStage<DocumentText> text(
      @PathParam("id") String id, @QueryParam("rev") Long rev, @QueryParam("at") Instant at) {
    if (rev != null && at != null) {
      throw Errors.badRequest("give 'rev' or 'at', not both");
    }
    CompletableFuture<OptionalLong> revision =
        at != null
            ? sequencers.archive(archive -> archive.revisionAt(id, at)).thenApply(OptionalLong::of)
            : CompletableFuture.completedFuture(
                rev == null ? OptionalLong.empty() : OptionalLong.of(rev));
    return revision
        .thenCompose(r -> sequencers.text(id, r))
        .thenApply(snapshot -> new DocumentText(id, snapshot.revision(), snapshot.text()));
  }

  @PUT
  @Requires(Role.WRITE)
  @Created
  @Operation(summary = "Creates the document, empty or with a text (201)")
  public CompletionStage<CreatedDocument> create(@PathParam("id") String id, NewDocument body) {
    String text = body == null ? "" : body.text();
    return sequencers
        .create(id, text)
        .thenApply(snapshot -> new CreatedDocument(id, snapshot.revision()));
  }

  @GET
  @Path("ops")
  @Requires(Role.READ)
  @Operation(summary = "A page of the op log, from revision from (default 1)")
  public CompletionStage<OpPage> ops(
      @PathParam("id") String id, @QueryParam("from") Long from, @QueryParam("limit") Long limit) {
    long first = from == null ? 1 : from;
    if (first < 1) {
      throw Errors.badRequest("from : " + first + " (expected: >= 1)");
    }
    return sequencers
        .ops(id, first, Endpoint.pageSize(limit, DEFAULT_PAGE, MAX_PAGE))
        .thenApply(
            page -> new OpPage(page.ops().stream().map(StoredOpEntry::of).toList(), page.next()));
  }

  @POST
  @Path("ops")
  @Requires(Role.WRITE)
  @Operation(summary = "Submits an op; answers once it is committed")
  public CompletionStage<Submitted> submit(
      @PathParam("id") String id, Submission body, @Context ContainerRequestContext request) {
    if (body == null) {
      throw Errors.badRequest("the request body is required: {rev, op, client?, seq?}");
    }
    String user = Endpoint.principal(request).userId(); // whatever the body says
    TextOperation op = Ops.operation(body.op());
    String clientId = body.clientId();
    if (clientId != null) { // a fresh id is nobody else's
      sequencers.clientOwners().claim(clientId, user); // forbidden
    } else {
      clientId = "rest-" + UUID.randomUUID();
    }
    CompletableFuture<Submitted> result = new CompletableFuture<>();
    sequencers.submit(
        null,
        new SubmitReply() {
          @Override
          public void acked(Committed committed) {
            result.complete(new Submitted(committed.revision()));
          }

          @Override
          public void failed(TandemException error) {
            result.completeExceptionally(error);
          }
        },
        new Sequencers.Submission(
            id, body.baseRevision(), op, clientId, body.seq() == null ? 0 : body.seq(), user));
    return result;
  }

  @GET
  @Path("checkpoints")
  @Requires(Role.READ)
  @Operation(summary = "The checkpoints, by ascending revision")
  public CompletionStage<CheckpointList> checkpoints(@PathParam("id") String id) {
    return sequencers
        .checkpoints(id)
        .thenApply(list -> new CheckpointList(list.stream().map(CheckpointEntry::of).toList()));
  }

  @POST
  @Path("checkpoints")
  @Requires(Role.ADMIN)
  @Created
  @Operation(summary = "Writes a checkpoint at the head, or at revision rev (201)")
  public CompletionStage<CheckpointEntry> createCheckpoint(
      @PathParam("id") String id, @QueryParam("rev") Long rev) {
    return (rev == null
            ? sequencers.createCheckpoint(id)
            : sequencers.archive(archive -> archive.checkpointAt(id, rev)))
        .thenApply(CheckpointEntry::of);
  }

  /** The answer of a delete. */
  public record Deleted(String id, boolean deleted) {}

  /**
   * Deletes the document with its whole history (admin). Its sequencer does it, after the commit in
   * flight; its subscribers get {@code not_found} ("was deleted").
   */
  @DELETE
  @Requires(Role.ADMIN)
  @Operation(summary = "Deletes the document with its whole history")
  public CompletionStage<Deleted> delete(@PathParam("id") String id) {
    return sequencers
        .delete(id)
        .thenApply(
            existed -> {
              if (!existed) {
                throw Errors.noDocument(id);
              }
              return new Deleted(id, true);
            });
  }
}
