package dev.tandem.sequencer.archive;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tandem.persistence.ArchiveHeader;
import dev.tandem.persistence.ArchiveVisitor;
import dev.tandem.persistence.ArchivedCheckpoint;
import dev.tandem.persistence.ArchivedOp;
import dev.tandem.persistence.PrunedClient;
import dev.tandem.sequencer.protocol.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * Writes a document's history in the export format: JSON Lines, one object a line, in the order an
 * {@link ArchiveVisitor} is given them.
 *
 * <pre>
 * {"format":"tandem-history","version":1,"doc":"notes","head":2,"headHash":"…","created":"…","updated":"…"}
 * {"prunedClient":"c0","seq":7,"rev":12,"user":"ada"}
 * {"checkpoint":0,"text":"hi","sha256":"…","chain":"…","time":"…"}
 * {"rev":1,"op":[2," there"],"client":"c1","seq":0,"user":"ada","time":"…","hash":"…"}
 * {"rev":2,"op":[8,"!"],"client":"c2","seq":4,"user":"bob","time":"…","hash":"…"}
 * {"end":2}
 * </pre>
 *
 * The end line holds the number of ops: a file without it was cut short. A pruned document's
 * history starts at a later checkpoint, after a {@code prunedClient} line per client whose ops were
 * pruned (its highest pruned seq, that op's revision and user), so that an import still recognises
 * their resubmits; a file without such lines is one of a document never pruned, as version 1 wrote
 * before it had them. Each line is written by one streaming generator straight into the writer (no
 * tree, no string per line): an export of a long history spends its time on the history, not on
 * building JSON.
 */
public final class ArchiveWriter implements ArchiveVisitor {
  static final String FORMAT = "tandem-history";
  static final int VERSION = 1;

  private final Writer out;
  private final JsonGenerator json;
  private final InstantText times = new InstantText();

  public ArchiveWriter(Writer out) {
    this.out = out;
    try {
      json = Json.MAPPER.getFactory().createGenerator(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    json.setRootValueSeparator(null); // lines end with a newline instead, written below
  }

  @Override
  public void header(ArchiveHeader header) {
    write(
        () -> {
          json.writeStartObject();
          json.writeStringField("format", FORMAT);
          json.writeNumberField("version", VERSION);
          json.writeStringField("doc", header.docId());
          json.writeNumberField("head", header.head());
          json.writeStringField("headHash", header.headHash());
          json.writeStringField("created", times.format(header.createdAt()));
          json.writeStringField("updated", times.format(header.updatedAt()));
          json.writeEndObject();
        });
  }

  @Override
  public void prunedClient(PrunedClient client) {
    write(
        () -> {
          json.writeStartObject();
          json.writeStringField("prunedClient", client.clientId());
          json.writeNumberField("seq", client.seq());
          json.writeNumberField("rev", client.revision());
          json.writeStringField("user", client.userId());
          json.writeEndObject();
        });
  }

  @Override
  public void checkpoint(ArchivedCheckpoint checkpoint) {
    write(
        () -> {
          json.writeStartObject();
          json.writeNumberField("checkpoint", checkpoint.revision());
          json.writeStringField("text", checkpoint.text());
          json.writeStringField("sha256", checkpoint.sha256());
          json.writeStringField("chain", checkpoint.chain());
          json.writeStringField("time", times.format(checkpoint.createdAt()));
          json.writeEndObject();
        });
  }

  @Override
  public void op(ArchivedOp op) {
    write(
        () -> {
          json.writeStartObject();
          json.writeNumberField("rev", op.revision());
          json.writeFieldName("op");
          json.writeRawValue(op.opJson()); // stored canonical JSON, verified as it is read
          json.writeStringField("client", op.clientId());
          json.writeNumberField("seq", op.clientSeq());
          json.writeStringField("user", op.userId());
          json.writeStringField("time", times.format(op.createdAt()));
          json.writeStringField("hash", op.hash());
          json.writeEndObject();
        });
  }

  @Override
  public void end(long ops) {
    write(
        () -> {
          json.writeStartObject();
          json.writeNumberField("end", ops);
          json.writeEndObject();
        });
    try {
      json.flush();
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes one line: an object, then a newline. */
  private void write(Line line) {
    try {
      line.write();
      json.writeRaw('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FunctionalInterface
  private interface Line {
    void write() throws IOException;
  }
}
