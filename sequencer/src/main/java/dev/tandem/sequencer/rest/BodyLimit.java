package dev.tandem.sequencer.rest;

import dev.tandem.sequencer.error.Errors;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Limits a request body bound to a record to {@code max-message-bytes}, as a WebSocket message is:
 * a longer one is {@code too_large}, read to its end (so the client sees the answer, not a reset)
 * and never parsed. A body read as a stream (an import) is not limited here.
 */
final class BodyLimit implements ReaderInterceptor {
  private final long maxBytes;

  BodyLimit(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
    if (context.getType() == InputStream.class) {
      return context.proceed();
    }
    InputStream body = context.getInputStream();
    byte[] kept = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    if (kept.length > maxBytes) {
      long bytes = kept.length + body.transferTo(OutputStream.nullOutputStream());
      throw Errors.tooLarge("request body of " + bytes + " bytes", maxBytes);
    }
    context.setInputStream(new ByteArrayInputStream(kept));
    return context.proceed();
  }
}
