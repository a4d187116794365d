package dev.tandem.ot;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * A real keystroke-level editing history from {@code src/test/resources/traces/} (see the README
 * there for provenance and licence): its patches in order and the text they must produce.
 *
 * <p>A patch {@code [pos, delCount, insText]} replaces {@code delCount} code points at code point
 * {@code pos} with {@code insText}, like {@code Array.splice}. Used by the replay tests and,
 * through ot-core's test jar, by the benchmarks.
 */
public final class EditingTrace {
  /** Every trace in the resources, smallest first. */
  public static final List<String> NAMES =
      List.of(
          "friendsforever_flat",
          "clownschool_flat",
          "sveltecomponent",
          "seph-blog1",
          "automerge-paper");

  private final String name;
  private final String endContent;
  private final int[] positions;
  private final int[] deleteCounts;
  private final String[] insertTexts;

  private EditingTrace(
      String name, String endContent, int[] positions, int[] deleteCounts, String[] insertTexts) {
    this.name = name;
    this.endContent = endContent;
    this.positions = positions;
    this.deleteCounts = deleteCounts;
    this.insertTexts = insertTexts;
  }

  /** Loads {@code traces/<name>.json.gz} from the class path. */
  public static EditingTrace load(String name) {
    String resource = "/traces/" + name + ".json.gz";
    try (InputStream raw = EditingTrace.class.getResourceAsStream(resource)) {
      if (raw == null) {
        throw new IllegalArgumentException("no trace " + resource + " on the class path");
      }
      try (JsonParser json = new JsonFactory().createParser(new GZIPInputStream(raw, 1 << 16))) {
        return parse(name, json);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read trace " + resource, e);
    }
  }

  private static EditingTrace parse(String name, JsonParser json) throws IOException {
    expect(json.nextToken(), JsonToken.START_OBJECT);
    String endContent = null;
    Patches patches = new Patches();
    while (json.nextToken() == JsonToken.FIELD_NAME) {
      String field = json.currentName();
      json.nextToken();
      switch (field) {
        case "startContent" -> {
          if (!json.getText().isEmpty()) {
            throw new IOException("trace " + name + " has a non-empty startContent");
          }
        }
        case "endContent" -> endContent = json.getText();
        case "txns" -> readTransactions(json, patches);
        default -> json.skipChildren();
      }
    }
    if (endContent == null) {
      throw new IOException("trace " + name + " has no endContent");
    }
    return new EditingTrace(
        name,
        endContent,
        Arrays.copyOf(patches.positions, patches.size),
        Arrays.copyOf(patches.deleteCounts, patches.size),
        patches.insertTexts.toArray(String[]::new));
  }

  private static void readTransactions(JsonParser json, Patches patches) throws IOException {
    expect(json.currentToken(), JsonToken.START_ARRAY);
    while (json.nextToken() == JsonToken.START_OBJECT) {
      while (json.nextToken() == JsonToken.FIELD_NAME) {
        String field = json.currentName();
        json.nextToken();
        if (!field.equals("patches")) {
          json.skipChildren();
          continue;
        }
        expect(json.currentToken(), JsonToken.START_ARRAY);
        while (json.nextToken() == JsonToken.START_ARRAY) {
          json.nextToken();
          int position = json.getIntValue();
          json.nextToken();
          int deleteCount = json.getIntValue();
          json.nextToken();
          patches.add(position, deleteCount, json.getText());
          expect(json.nextToken(), JsonToken.END_ARRAY);
        }
      }
    }
  }

  private static void expect(JsonToken actual, JsonToken expected) throws IOException {
    if (actual != expected) {
      throw new IOException("trace JSON has " + actual + " (expected " + expected + ")");
    }
  }

  public String name() {
    return name;
  }

  /** The text every replay must end with. */
  public String endContent() {
    return endContent;
  }

  public int patchCount() {
    return positions.length;
  }

  /**
   * The trace as whole-document ops, in order: patch i becomes {@code retain pos, delete n, insert
   * s, retain rest} against the text the patches before it produced.
   */
  public List<TextOperation> operations() {
    List<TextOperation> ops = new ArrayList<>(positions.length);
    int length = 0;
    for (int i = 0; i < positions.length; i++) {
      String inserted = insertTexts[i];
      ops.add(
          TextOperation.builder()
              .retain(positions[i])
              .delete(deleteCounts[i])
              .insert(inserted)
              .retain(length - positions[i] - deleteCounts[i])
              .build());
      length += inserted.codePointCount(0, inserted.length()) - deleteCounts[i];
    }
    return ops;
  }

  /** Patch i's position in code points. */
  public int position(int i) {
    return positions[i];
  }

  /** Patch i's delete count in code points. */
  public int deleteCount(int i) {
    return deleteCounts[i];
  }

  /** Patch i's inserted text, possibly empty. */
  public String insertText(int i) {
    return insertTexts[i];
  }

  @Override
  public String toString() {
    return name;
  }

  /** Growable columns of patches while parsing. */
  private static final class Patches {
    int[] positions = new int[1024];
    int[] deleteCounts = new int[1024];
    final List<String> insertTexts = new ArrayList<>();
    int size;

    void add(int position, int deleteCount, String insertText) {
      if (size == positions.length) {
        positions = Arrays.copyOf(positions, size * 2);
        deleteCounts = Arrays.copyOf(deleteCounts, size * 2);
      }
      positions[size] = position;
      deleteCounts[size] = deleteCount;
      insertTexts.add(insertText);
      size++;
    }
  }
}
