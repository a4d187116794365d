package dev.tandem.sequencer.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A message from server to client, as a record that Jackson writes with its {@code type} first (the
 * record's {@link JsonTypeName}). Fields that may be absent are left out when null. {@link Ops}
 * goes out in a binary frame, its bytes encoded once for every socket of the document
 * (docs/decisions/0005-binary-ops-frames.md); the others in text frames.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface ServerMessage {

  /** Writes the message as one JSON object. */
  default String json() {
    return Json.write(this);
  }

  /** {@code exp} is the token's expiry in epoch seconds; null when it never expires. */
  @JsonTypeName("welcome")
  record Welcome(
      @JsonProperty("client") String clientId,
      @JsonProperty("user") String userId,
      String name,
      String color,
      Long exp)
      implements ServerMessage {}

  @JsonTypeName("authed")
  record Authed(@JsonProperty("user") String userId, Long exp) implements ServerMessage {}

  /**
   * {@code ops} is null for an open at the head (then {@code text} is set), else the catch-up.
   * After a prune below the client's revision: the text, {@code resync: true} and {@code seq}, its
   * client id's highest seq committed up to {@code rev} (if any); else both are null.
   */
  @JsonTypeName("opened")
  record Opened(
      @JsonProperty("doc") String docId,
      @JsonProperty("rev") long revision,
      String text,
      List<OpEntry> ops,
      Boolean resync,
      Long seq)
      implements ServerMessage {
    public static Opened text(String docId, long revision, String text) {
      return new Opened(docId, revision, text, null, null, null);
    }

    public static Opened catchUp(String docId, long revision, List<OpEntry> ops) {
      return new Opened(docId, revision, null, ops, null, null);
    }
  }

  /** Committed ops of one document, consecutive: everyone's, the receiver's own included. */
  @JsonTypeName("ops")
  record Ops(@JsonProperty("doc") String docId, List<OpEntry> ops) implements ServerMessage {
    /** The message as UTF-8, for a binary frame. */
    public byte[] utf8() {
      return Json.writeUtf8(this);
    }
  }

  /** One committed op in {@code opened} and {@code ops}: {@code op} is its stored wire form. */
  record OpEntry(
      @JsonProperty("rev") long revision,
      @JsonRawValue String op,
      @JsonProperty("client") String clientId,
      long seq,
      @JsonProperty("user") String userId) {}

  @JsonTypeName("ack")
  record Ack(@JsonProperty("doc") String docId, @JsonProperty("rev") long revision, long seq)
      implements ServerMessage {}

  @JsonTypeName("error")
  /** {@code url}: only with {@code moved}, the owner's WebSocket URL (docs/scaling.md). */
  record Error(
      @JsonProperty("doc") String docId,
      Long seq,
      String code,
      String message,
      boolean retryable,
      String url)
      implements ServerMessage {}

  /** A present client ({@code left} null), or one that left (only doc and client set). */
  @JsonTypeName("presence")
  record Presence(
      @JsonProperty("doc") String docId,
      @JsonProperty("client") String clientId,
      @JsonProperty("user") String userId,
      @JsonProperty("rev") Long revision,
      JsonNode selection,
      JsonNode meta,
      Boolean left)
      implements ServerMessage {
    public static Presence of(PresenceUpdate update) {
      return update.left()
          ? new Presence(update.docId(), update.clientId(), null, null, null, null, true)
          : new Presence(
              update.docId(),
              update.clientId(),
              update.userId(),
              update.revision(),
              update.selection(),
              update.meta(),
              null);
    }
  }

  @JsonTypeName("closed")
  record Closed(@JsonProperty("doc") String docId) implements ServerMessage {}

  @JsonTypeName("pong")
  record Pong() implements ServerMessage {}
}
