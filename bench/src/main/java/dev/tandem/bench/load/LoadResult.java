package dev.tandem.bench.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Locale;

/** The outcome of one run: a record, printed as one JSON line and as a readable table. */
interface LoadResult {
  ObjectMapper JSON = new ObjectMapper();

  /** The table's rows, in reading order. */
  List<Row> rows();

  record Row(String name, String value) {
    static Row of(String name, Object value) {
      return new Row(name, value == null ? "-" : String.valueOf(value));
    }
  }

  default String json() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + this, e);
    }
  }

  default String table() {
    int width = rows().stream().mapToInt(row -> row.name().length()).max().orElse(0);
    StringBuilder out = new StringBuilder();
    for (Row row : rows()) {
      out.append(String.format(Locale.ROOT, "  %-" + width + "s  %s%n", row.name(), row.value()));
    }
    return out.toString();
  }

  static String decimal(double value) {
    return String.format(Locale.ROOT, "%,.1f", value);
  }

  static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%,.1f MiB", bytes / 1048576.0);
  }
}
