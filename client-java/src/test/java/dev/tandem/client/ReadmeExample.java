package dev.tandem.client;

import dev.tandem.ot.TextOperation;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The usage example of README.md's "Java client" section, kept here so that the build compiles it.
 * It needs a running server, so no test runs it; the end-to-end tests in the sequencer module run
 * the same calls against a real one.
 */
final class ReadmeExample {
  private ReadmeExample() {}

  static void run() throws Exception {
    try (TandemClient client =
        TandemClient.builder(URI.create("ws://localhost:8080/ws")).token("").build()) {
      TandemDocument doc = client.open("notes").get(10, TimeUnit.SECONDS); // text and revision
      doc.addListener(
          new DocumentListener() {
            @Override
            public void onChange(TextChange change) { // local, remote or resync
              System.out.println(change.origin() + " r" + change.revision() + ": " + change.text());
            }

            @Override
            public void onError(TandemException error) { // error.code(): ErrorCode.INVALID_OP, ...
              System.err.println(error.getMessage());
            }
          });
      // The function gets the local text as it is when the edit runs; lengths are code points.
      doc.edit(
          text ->
              TextOperation.builder()
                  .retain(text.codePointCount(0, text.length()))
                  .insert("Hello, 🌍!")
                  .build());
      doc.setSelection(List.of(SelectionRange.caret(0)), Map.of("name", "bot"));
      doc.whenSynchronized().get(10, TimeUnit.SECONDS); // every local edit acknowledged
      doc.close().get(10, TimeUnit.SECONDS);
    }
  }
}
