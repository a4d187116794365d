package dev.tandem.bench.fuzz;

import java.util.List;
import java.util.Map;

/**
 * What a {@link FuzzRun} sent and found. {@code failureKinds} counts the {@code failureCount}
 * problems by kind (an {@code internal} answer, a 5xx, a request without an answer, a socket the
 * server stopped answering, a control document that is not intact); {@code failures} holds the
 * first five of each kind, with their input.
 */
public record FuzzResult(
    long seed,
    long webSocketMessagesProcessed,
    long webSocketMessagesSent,
    long restRequests,
    long webSocketSessions,
    Map<String, Long> closeCodes,
    Map<String, Long> errorCodes,
    Map<String, Long> httpStatuses,
    Map<String, Long> failureKinds,
    long honestEdits,
    long honestAcks,
    double fuzzSeconds,
    double totalSeconds,
    long failureCount,
    List<String> failures) {

  public long messages() {
    return webSocketMessagesProcessed + restRequests;
  }

  public boolean passed() {
    return failureCount == 0;
  }

  /** A readable report, one fact a line. */
  public String report() {
    StringBuilder out = new StringBuilder();
    out.append(String.format("fuzz seed %d: %s%n", seed, passed() ? "passed" : "FAILED"));
    out.append(
        String.format(
            "  messages %,d in %.1f s (%,.0f/s): WebSocket %,d processed (%,d sent, %,d sessions),"
                + " REST %,d%n",
            messages(),
            fuzzSeconds,
            messages() / fuzzSeconds,
            webSocketMessagesProcessed,
            webSocketMessagesSent,
            webSocketSessions,
            restRequests));
    out.append("  WebSocket error codes ").append(errorCodes).append('\n');
    out.append("  WebSocket close codes ").append(closeCodes).append('\n');
    out.append("  HTTP statuses ").append(httpStatuses).append('\n');
    out.append(
        String.format(
            "  honest editors: %,d edits, %,d acks; total %.1f s%n",
            honestEdits, honestAcks, totalSeconds));
    out.append(String.format("  failures %d %s%n", failureCount, failureKinds));
    failures.forEach(failure -> out.append("    ").append(failure).append('\n'));
    return out.toString();
  }
}
