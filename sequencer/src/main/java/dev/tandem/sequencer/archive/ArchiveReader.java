package dev.tandem.sequencer.archive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.ot.InvalidOperationException;
import dev.tandem.ot.OperationJson;
import dev.tandem.persistence.ArchiveHeader;
import dev.tandem.persistence.ArchiveVisitor;
import dev.tandem.persistence.ArchivedCheckpoint;
import dev.tandem.persistence.ArchivedOp;
import dev.tandem.persistence.PrunedClient;
import dev.tandem.sequencer.protocol.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads a file that {@link ArchiveWriter} wrote and gives it to an {@link ArchiveVisitor}, line by
 * line (a long history is never held whole). Throws {@link ArchiveFormatException} naming the line
 * of anything malformed, and at the end of a file without its end line; what the lines say is the
 * visitor's to check (an import verifies the chain).
 */
public final class ArchiveReader {
  private final BufferedReader in;
  private final String asDocId;
  private long line;

  /** Reads {@code in}; the document gets the id {@code asDocId}, or its own when null. */
  public ArchiveReader(BufferedReader in, String asDocId) {
    this.in = in;
    this.asDocId = asDocId;
  }

  /** Gives the whole file to {@code visitor}. */
  public void readInto(ArchiveVisitor visitor) {
    JsonNode first = next();
    if (first == null) {
      throw new ArchiveFormatException(1, "the file is empty (expected: a Tandem export)");
    }
    if (!ArchiveWriter.FORMAT.equals(first.path("format").asText())) {
      throw new ArchiveFormatException(
          line, "not a Tandem export (no \"format\":\"tandem-history\")");
    }
    if (first.path("version").asInt() != ArchiveWriter.VERSION) {
      throw new ArchiveFormatException(
          line,
          "export version " + first.path("version") + " (expected: " + ArchiveWriter.VERSION + ")");
    }
    ArchiveHeader header =
        new ArchiveHeader(
            text(first, "doc"),
            number(first, "head"),
            text(first, "headHash"),
            time(first, "created"),
            time(first, "updated"));
    visitor.header(asDocId == null ? header : header.withDocId(asDocId));
    for (JsonNode node = next(); node != null; node = next()) {
      if (node.has("prunedClient")) { // before "rev", which it has too
        visitor.prunedClient(prunedClient(node));
      } else if (node.has("rev")) {
        visitor.op(
            new ArchivedOp(
                number(node, "rev"),
                op(node),
                text(node, "client"),
                number(node, "seq"),
                text(node, "user"),
                time(node, "time"),
                text(node, "hash")));
      } else if (node.has("checkpoint")) {
        visitor.checkpoint(
            new ArchivedCheckpoint(
                number(node, "checkpoint"),
                text(node, "text"),
                text(node, "sha256"),
                text(node, "chain"),
                time(node, "time")));
      } else if (node.has("end")) {
        long ops = number(node, "end");
        if (next() != null) {
          throw new ArchiveFormatException(line, "a line after the end line");
        }
        visitor.end(ops);
        return;
      } else {
        throw new ArchiveFormatException(
            line, "neither an op, a checkpoint, a pruned client nor the end");
      }
    }
    throw new ArchiveFormatException(line, "the file ends without its end line (it was cut short)");
  }

  private PrunedClient prunedClient(JsonNode node) {
    String clientId = text(node, "prunedClient");
    long seq = number(node, "seq");
    long revision = number(node, "rev");
    String userId = text(node, "user");
    try {
      return new PrunedClient(clientId, seq, revision, userId);
    } catch (IllegalArgumentException e) { // a seq or a revision out of range
      throw new ArchiveFormatException(line, e.getMessage());
    }
  }

  private JsonNode next() {
    String text;
    try {
      text = in.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (text == null) {
      return null;
    }
    line++;
    try {
      JsonNode node = Json.MAPPER.readTree(text);
      if (node == null || !node.isObject()) {
        throw new ArchiveFormatException(line, "not a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new ArchiveFormatException(line, "not JSON: " + e.getOriginalMessage());
    }
  }

  private String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new ArchiveFormatException(line, "field '" + field + "' must be a string");
    }
    return value.asText();
  }

  private long number(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.canConvertToExactIntegral() || !value.canConvertToLong()) {
      throw new ArchiveFormatException(line, "field '" + field + "' must be an integer");
    }
    return value.asLong();
  }

  private Instant time(JsonNode node, String field) {
    try {
      return Instant.parse(text(node, field));
    } catch (DateTimeParseException e) {
      throw new ArchiveFormatException(line, "field '" + field + "' must be an ISO-8601 instant");
    }
  }

  /** The op in its canonical form, as its hash covers it. */
  private String op(JsonNode node) {
    JsonNode value = node.get("op");
    if (value == null || !value.isArray()) {
      throw new ArchiveFormatException(line, "field 'op' must be an array");
    }
    try {
      return OperationJson.toJson(OperationJson.parse(Json.write(value)));
    } catch (InvalidOperationException e) {
      throw new ArchiveFormatException(line, "field 'op': " + e.getMessage());
    }
  }
}
