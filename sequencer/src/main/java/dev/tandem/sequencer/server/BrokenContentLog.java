package dev.tandem.sequencer.server;

import dev.tandem.sequencer.error.BadRequestLog;
import dev.tandem.sequencer.error.Errors;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.glassfish.grizzly.filterchain.DefaultFilterChain;
import org.glassfish.grizzly.http.HttpBrokenContentException;

/**
 * Grizzly answers a request body it cannot decode (a malformed chunk) with 400, then logs it from
 * its filter chain as a WARNING with a stack trace, as if the server had failed. It is the client's
 * fault: this filter on Grizzly's logger hands such records to the {@link BadRequestLog} instead,
 * and lets every other record through.
 */
public final class BrokenContentLog implements Filter {
  // Held here: java.util.logging keeps loggers only weakly, and a collected one loses its filter.
  private static final Logger CHAIN = Logger.getLogger(DefaultFilterChain.class.getName());

  private BrokenContentLog() {}

  /** Installs the filter; idempotent. */
  public static synchronized void install() {
    if (!(CHAIN.getFilter() instanceof BrokenContentLog)) {
      CHAIN.setFilter(new BrokenContentLog());
    }
  }

  @Override
  public boolean isLoggable(LogRecord record) {
    for (Throwable cause = record.getThrown(); cause != null; cause = cause.getCause()) {
      if (cause instanceof HttpBrokenContentException) {
        BadRequestLog.refused(
            "HTTP", Errors.badRequest("malformed request body: " + cause.getMessage()));
        return false;
      }
    }
    return true;
  }
}
