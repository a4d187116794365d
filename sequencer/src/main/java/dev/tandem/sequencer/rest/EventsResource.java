package dev.tandem.sequencer.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.tandem.sequencer.auth.Principal;
import dev.tandem.sequencer.auth.Role;
import dev.tandem.sequencer.config.TandemConfig;
import dev.tandem.sequencer.document.Committed;
import dev.tandem.sequencer.document.OpRun;
import dev.tandem.sequencer.document.Sequencers;
import dev.tandem.sequencer.document.Snapshot;
import dev.tandem.sequencer.document.Subscriber;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;
import dev.tandem.sequencer.protocol.Json;
import dev.tandem.sequencer.protocol.PresenceUpdate;
import dev.tandem.sequencer.rest.Endpoint.Requires;
import dev.tandem.sequencer.server.OutboundBudget;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.glassfish.grizzly.WriteHandler;
import org.glassfish.grizzly.asyncqueue.TaskQueue;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.nio.NIOConnection;
import org.glassfish.jersey.media.sse.EventOutput;
import org.glassfish.jersey.media.sse.OutboundEvent;

/**
 * {@code GET /api/docs/{id}/events}: a read-only live feed of a document as Server-Sent Events.
 * Without {@code Last-Event-ID} it starts with {@code event: snapshot} ({@code {doc, rev, text}});
 * then every committed op as {@code event: op} ({@code {doc, rev, op, client, seq, user}}). Every
 * event's {@code id} is its revision, so a reconnect with {@code Last-Event-ID: r} receives exactly
 * the ops after r. A stream is bounded like a WebSocket: one with more than {@code
 * outbound-socket-bytes} waiting for the network, or one that is behind while the server's {@link
 * OutboundBudget} is used up, is ended; the client reconnects with its last id and catches up.
 * While the budget is used up, a new stream is refused with {@code unavailable} (503). A stream
 * needs {@code read} on its document and ends when its token does ({@link
 * dev.tandem.sequencer.auth.RoleAuthorizer#acceptedUntil}), with a last {@code event: expired}.
 *
 * <p>A connect never waits on a Grizzly thread: the request is suspended and handed to the
 * document's sequencer as a {@link Subscriber}. Its first answer decides the HTTP response: {@link
 * Subscriber#failed} (no such document, {@code Last-Event-ID} past the head, database away) resumes
 * the request with the error, answered like any REST error; a snapshot or the first missed ops
 * resume it with the event stream. Jersey's {@code SseEventSink} cannot do this: Jersey commits its
 * 200 as soon as the resource method returns, so the stream is Jersey's {@link EventOutput} (the
 * same chunked output underneath) handed to {@link AsyncResponse#resume}.
 */
@Path("docs/{id}/events")
@Singleton
public final class EventsResource {
  private final Sequencers sequencers;
  private final Access access;
  private final TandemConfig config;
  private final OutboundBudget outboundBudget;

  @Inject
  EventsResource(
      Sequencers sequencers, Access access, TandemConfig config, OutboundBudget outboundBudget) {
    this.sequencers = sequencers;
    this.access = access;
    this.config = config;
    this.outboundBudget = outboundBudget;
  }

  /** The data of {@code event: snapshot}; {@code resync} is true after a prune, else absent. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SnapshotEvent(
      @JsonProperty("doc") String docId,
      @JsonProperty("rev") long revision,
      String text,
      Boolean resync) {}

  /** The data of {@code event: op}: one committed op, {@code op} as stored. */
  public record OpEvent(
      @JsonProperty("doc") String docId,
      @JsonProperty("rev") long revision,
      @JsonRawValue String op,
      @JsonProperty("client") String clientId,
      long seq,
      @JsonProperty("user") String userId) {}

  @GET
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @Requires(Role.READ)
  @Operation(summary = "A live feed of the document: a snapshot, then every committed op")
  public void events(
      @PathParam("id") String docId,
      @HeaderParam("Last-Event-ID") String lastEventId,
      @Context ContainerRequestContext context,
      @Context Request request,
      @Suspended AsyncResponse response) {
    OptionalLong from;
    Principal principal = Endpoint.principal(context);
    try {
      from = lastEventId(lastEventId);
      if (outboundBudget.isFull()) { // a stream starts with the text, or the ops missed
        throw outboundBudget.full();
      }
    } catch (RuntimeException e) {
      response.resume(e);
      return;
    }
    Stream stream = new Stream(docId, response, request, config.outboundSocketBytes());
    stream.removeOnShutdown = sequencers.onShutdown(stream::end);
    stream.removeRecount = outboundBudget.onRecount(stream::recount);
    Instant until = access.acceptedUntil(principal);
    if (!until.equals(Instant.MAX)) {
      stream.cancelExpiry =
          sequencers.schedule(stream::expire, Duration.between(Instant.now(), until));
    }
    try {
      sequencers.open(stream, docId, from, false); // past the head: failed(rev_out_of_range)
    } catch (TandemException e) { // rate_limited: the document has too many requests waiting
      stream.failed(docId, e);
    }
  }

  /** The revision to resume after, if the client has one; below 0 is {@code rev_out_of_range}. */
  private static OptionalLong lastEventId(String header) {
    if (header == null || header.isBlank()) {
      return OptionalLong.empty();
    }
    long revision;
    try {
      revision = Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      throw Errors.badRequest(
          "header 'Last-Event-ID' is '" + Json.abbreviate(header) + "' (expected: an integer)");
    }
    if (revision < 0) {
      throw Errors.revOutOfRange(
          "Last-Event-ID " + revision + " (expected: 0 to the head of the document)");
    }
    return OptionalLong.of(revision);
  }

  /**
   * One SSE connection following one document. Until the document's first answer the request is
   * suspended and nothing is sent; {@code answered} makes sure it is resumed once, with the stream
   * or with an error. Jersey writes an event into Grizzly's write queue of the connection at once
   * (its write never waits for the network), so the backlog is measured there: a stream with more
   * than {@code backlogLimit} bytes waiting for a slow or stalled client is ended (it reconnects
   * with its last id and catches up), and a catch-up waits for the queue to drain to half of it
   * whenever it is fuller. Grizzly does not say when an event is written, so the stream's share of
   * the {@link OutboundBudget} ({@code accounted}) is brought down to what still waits in the queue
   * whenever the stream sends and whenever the budget would refuse something ({@link #recount}).
   */
  private final class Stream implements Subscriber {
    private final String docId;
    private final AsyncResponse response;
    private final EventOutput output = new EventOutput();
    private final TaskQueue<?> writeQueue; // null if the connection is not Grizzly's NIO one
    private final long backlogLimit;
    private final AtomicBoolean answered = new AtomicBoolean(); // the HTTP status is decided
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Runnable removeOnShutdown = () -> {};
    private volatile Runnable removeRecount = () -> {};
    private volatile Runnable cancelExpiry = () -> {};
    // Bytes reserved in the budget. Atomic, not locked: any thread may recount any stream.
    private final AtomicLong accounted = new AtomicLong();

    Stream(String docId, AsyncResponse response, Request request, long backlogLimit) {
      this.docId = docId;
      this.response = response;
      NIOConnection connection =
          request != null && request.getContext().getConnection() instanceof NIOConnection nio
              ? nio
              : null;
      this.writeQueue = connection == null ? null : connection.getAsyncWriteQueue();
      if (connection != null) {
        // Past Grizzly's own bound of the queue, a write blocks the writing thread (a document's
        // sequencer) until the client reads; admit() bounds the queue instead, and never blocks.
        connection.setMaxAsyncWriteQueueSize(Integer.MAX_VALUE);
      }
      this.backlogLimit = backlogLimit;
    }

    @Override
    public void opened(Snapshot snapshot) {
      start();
      send(
          "snapshot",
          snapshot.revision(),
          new SnapshotEvent(snapshot.docId(), snapshot.revision(), snapshot.text(), null));
    }

    /**
     * The {@code Last-Event-ID} was pruned: {@code event: snapshot} again, with {@code resync:
     * true}, which a reader takes as it took the first snapshot.
     */
    @Override
    public void resynced(Snapshot snapshot, OptionalLong lastSeq) {
      start();
      send(
          "snapshot",
          snapshot.revision(),
          new SnapshotEvent(snapshot.docId(), snapshot.revision(), snapshot.text(), true));
    }

    /** Paced by bytes: whenever more than half the bound waits, the rest waits for room. */
    @Override
    public CompletionStage<Void> missed(List<Committed> ops) {
      start();
      return missedFrom(ops, 0);
    }

    private CompletionStage<Void> missedFrom(List<Committed> ops, int from) {
      int next = from;
      while (next < ops.size() && !ended.get() && queued() <= backlogLimit / 2) {
        op(ops.get(next++));
      }
      int rest = next;
      return halfEmpty()
          .thenCompose(
              room ->
                  rest < ops.size() && !ended.get()
                      ? missedFrom(ops, rest)
                      : CompletableFuture.completedFuture(null));
    }

    /** Completes when at most half the bound waits in the queue (about: Grizzly's notice). */
    private CompletionStage<Void> halfEmpty() {
      CompletableFuture<Void> room = new CompletableFuture<>();
      if (writeQueue == null || ended.get()) {
        room.complete(null);
      } else {
        writeQueue.notifyWritePossible(
            new WriteHandler() {
              @Override
              public void onWritePossible() {
                room.complete(null);
              }

              @Override
              public void onError(Throwable failure) {
                room.complete(null); // the stream ends itself on its next send
              }
            },
            (int) Math.min(Integer.MAX_VALUE, backlogLimit / 2));
      }
      return room;
    }

    @Override
    public void caughtUp(String docId, long revision, List<Committed> missed) {
      start();
      for (Committed committed : missed) {
        op(committed);
      }
    }

    /** An {@code op} event each: the feed's events are one op each, however they committed. */
    @Override
    public void ops(OpRun run) {
      for (Committed committed : run.ops()) {
        op(committed);
      }
    }

    private void op(Committed committed) {
      send(
          "op",
          committed.revision(),
          new OpEvent(
              committed.docId(),
              committed.revision(),
              committed.opJson(),
              committed.clientId(),
              committed.seq(),
              committed.userId()));
    }

    @Override
    public void presence(PresenceUpdate update) {} // the feed carries the text only

    @Override
    public void closed(String docId) {
      end();
    }

    /**
     * Before the stream started (not found, {@code Last-Event-ID} past the head, database away):
     * the request's answer, with the error's status. After (the document was deleted, or cannot be
     * followed after a failed reload): a last {@code event: error} ({@code {code, message}}, no
     * id), and the stream ends.
     */
    @Override
    public void failed(String docId, TandemException error) {
      lastEvent("error", error);
      end(error);
    }

    /** Answers the request with 200 and the event stream; events sent from now on follow it. */
    private void start() {
      if (answered.compareAndSet(false, true)) {
        response.resume(output);
      }
    }

    private void send(String name, long revision, Record data) {
      if (ended.get() || output.isClosed()) {
        end();
        return;
      }
      String json = Json.write(data);
      String id = Long.toString(revision);
      // "event: name\nid: rev\ndata: json\n\n" and the chunk's framing
      long bytes = Json.utf8Length(json) + name.length() + id.length() + 32;
      if (!admit(bytes)) {
        sequencers.metrics().slowConsumerClosed();
        end(); // too far behind: the client reconnects with Last-Event-ID and catches up
        return;
      }
      OutboundEvent event =
          new OutboundEvent.Builder()
              .name(name)
              .id(id)
              .mediaType(MediaType.TEXT_PLAIN_TYPE)
              .data(String.class, json)
              .build();
      try {
        output.write(event);
      } catch (IOException | ProcessingException gone) { // the client went away
        end();
      }
    }

    /**
     * Whether an event of {@code bytes} may be queued: not if more than the bound would wait (one
     * event may always wait alone), nor if the budget is used up and the stream is behind. Reserves
     * its bytes if so.
     */
    private boolean admit(long bytes) {
      recount();
      long queued = queued();
      if (queued > 0 && queued + bytes > backlogLimit) {
        return false;
      }
      if (!outboundBudget.tryReserve(bytes)) {
        if (queued > OutboundBudget.KEEPING_UP_BYTES) {
          return false;
        }
        outboundBudget.reserve(bytes); // it keeps up: the event goes out soon
      }
      accounted.addAndGet(bytes);
      if (ended.get()) { // ended meanwhile, by another thread: end() may have released before
        outboundBudget.release(accounted.getAndSet(0));
      }
      return true;
    }

    /** Releases what the network took since the stream last looked; never blocks. */
    void recount() {
      long queued = queued();
      long before;
      do {
        before = accounted.get();
        if (queued >= before) {
          return;
        }
      } while (!accounted.compareAndSet(before, queued));
      outboundBudget.release(before - queued);
    }

    /** Bytes waiting in the connection's write queue. */
    private long queued() {
      return writeQueue == null ? 0 : writeQueue.spaceInBytes();
    }

    /**
     * At the token's expiry plus the clock skew, as a WebSocket is closed with 1008: a last {@code
     * event: expired} ({@code {code: "unauthorized", message}}, no id) tells the client to get a
     * fresh token and reconnect with its {@code Last-Event-ID}; a stream not started yet is
     * answered 401.
     */
    void expire() {
      TandemException expired = Errors.tokenExpired();
      lastEvent("expired", expired);
      end(expired);
    }

    /** A stream's last event, {@code {code, message}} without an id, if it started. */
    private void lastEvent(String name, TandemException error) {
      if (answered.get() && !ended.get()) {
        Json.ErrorBody data = new Json.ErrorBody(error.code(), error.getMessage());
        try {
          output.write(
              new OutboundEvent.Builder()
                  .name(name)
                  .mediaType(MediaType.TEXT_PLAIN_TYPE)
                  .data(String.class, Json.write(data))
                  .build());
        } catch (IOException | ProcessingException gone) {
          // ending anyway
        }
      }
    }

    /** Ends the stream; before it started (only at shutdown), the request gets 503. */
    void end() {
      end(Errors.shuttingDown());
    }

    private void end(TandemException beforeStart) {
      if (ended.compareAndSet(false, true)) {
        removeOnShutdown.run();
        removeRecount.run();
        cancelExpiry.run();
        outboundBudget.release(accounted.getAndSet(0));
        sequencers.disconnect(this, Set.of(docId));
        if (answered.compareAndSet(false, true)) {
          response.resume(beforeStart); // answered by ErrorMapper, like any REST error
        } else {
          try {
            output.close();
          } catch (IOException | ProcessingException alreadyGone) {
            // nothing left to tell the client
          }
        }
      }
    }
  }
}
