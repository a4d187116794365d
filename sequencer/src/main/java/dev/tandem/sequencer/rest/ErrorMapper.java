package dev.tandem.sequencer.rest;

import dev.tandem.sequencer.ErrorCode;
import dev.tandem.sequencer.Json;
import dev.tandem.sequencer.Metrics;
import dev.tandem.sequencer.TandemException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every failure of a REST call becomes the body {@code {code, message}} with the status of its
 * {@link ErrorCode}. Jersey's own errors (unknown path, wrong method, wrong media type) keep their
 * status and get the nearest code.
 */
final class ErrorMapper implements ExceptionMapper<Throwable> {
  private static final Logger log = LoggerFactory.getLogger(ErrorMapper.class);

  private final Metrics metrics;

  ErrorMapper(Metrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public Response toResponse(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof TandemException) {
      metrics.error(((TandemException) cause).code());
      return response((TandemException) cause);
    }
    if (cause instanceof WebApplicationException) {
      int status = ((WebApplicationException) cause).getResponse().getStatus();
      ErrorCode code =
          status == 404
              ? ErrorCode.NOT_FOUND
              : status == 413
                  ? ErrorCode.TOO_LARGE
                  : status < 500 ? ErrorCode.BAD_REQUEST : ErrorCode.INTERNAL;
      return body(status, code, cause.getMessage());
    }
    log.error("REST call failed", cause);
    metrics.error(ErrorCode.INTERNAL);
    return body(500, ErrorCode.INTERNAL, "internal error: " + cause.getClass().getSimpleName());
  }

  static Response response(TandemException error) {
    return body(error.code().httpStatus(), error.code(), error.getMessage());
  }

  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static Response body(int status, ErrorCode code, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(Json.error(code, message))
        .build();
  }
}
