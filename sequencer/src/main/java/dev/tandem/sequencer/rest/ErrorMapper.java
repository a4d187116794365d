package dev.tandem.sequencer.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tandem.sequencer.error.BadRequestLog;
import dev.tandem.sequencer.error.ErrorCode;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.MovedException;
import dev.tandem.sequencer.error.TandemException;
import dev.tandem.sequencer.metrics.Metrics;
import dev.tandem.sequencer.protocol.Json;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.io.IOException;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.glassfish.jersey.server.ParamException;
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
  @Context private UriInfo uriInfo;
  @Context private HttpHeaders headers;

  ErrorMapper(Metrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public Response toResponse(Throwable failure) {
    Throwable cause = unwrap(failure);
    TandemException error = refusal(cause);
    if (error != null) {
      metrics.error(error.code());
      BadRequestLog.answered("REST", error, docId(), null, null);
      if (error instanceof MovedException moved && uriInfo != null) {
        // 307 keeps the method and body: the client sends the same request to the owner
        return Response.fromResponse(response(error))
            .location(moved.on(uriInfo.getRequestUri()))
            .build();
      }
      return response(error);
    }
    if (cause instanceof WebApplicationException) {
      int status = ((WebApplicationException) cause).getResponse().getStatus();
      ErrorCode code =
          status == 404
              ? ErrorCode.NOT_FOUND
              : status == 413
                  ? ErrorCode.TOO_LARGE
                  : status < 500 ? ErrorCode.BAD_REQUEST : ErrorCode.INTERNAL;
      BadRequestLog.answered(
          "REST", new TandemException(code, cause.getMessage()), null, null, null);
      return body(status, code, cause.getMessage());
    }
    log.error("REST call failed", cause);
    metrics.error(ErrorCode.INTERNAL);
    return body(500, ErrorCode.INTERNAL, "internal error: " + cause.getClass().getSimpleName());
  }

  /**
   * What the client is told for a failure that is its own: a {@link TandemException} raised on the
   * way (also inside a parameter's or the body's binding), a query parameter or header of the wrong
   * type, a body Jackson refuses, a body it could not send; null for anything else.
   */
  private TandemException refusal(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof TandemException tandem) {
        return tandem;
      }
    }
    if (failure instanceof ParamException parameter) {
      return wrongParameter(parameter);
    }
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof JsonProcessingException json) {
        return Json.refusal(json);
      }
    }
    return unreadableRequest(failure);
  }

  /** {@code query parameter 'rev' is 'x' (expected: an integer)}. */
  private TandemException wrongParameter(ParamException parameter) {
    boolean header = parameter.getParameterType() == HeaderParam.class;
    String name = parameter.getParameterName();
    String value = null;
    try {
      value = header ? headers.getHeaderString(name) : uriInfo.getQueryParameters().getFirst(name);
    } catch (RuntimeException e) { // outside a request's scope
      // the message goes without the value
    }
    String expected = "an integer"; // Long.valueOf's NumberFormatException
    for (Throwable cause = parameter; cause != null; cause = cause.getCause()) {
      if (cause instanceof Endpoint.Expected converter) {
        expected = converter.getMessage();
      }
    }
    return Errors.badRequest(
        (header ? "header '" : "query parameter '")
            + name
            + "' is '"
            + Json.abbreviate(value)
            + "' (expected: "
            + expected
            + ")");
  }

  /**
   * A request the client made unreadable, as {@code bad_request}; null for anything else. The only
   * I/O of a call is reading its request (the database's failures arrive as {@code unavailable}),
   * so an {@link IOException} is a body cut short by the client (an {@link java.io.EOFException}
   * before its Content-Length) or a connection it broke. A charset the body claims but Java does
   * not know is the client's too.
   */
  private static TandemException unreadableRequest(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof IOException) {
        return Errors.badRequest(
            "the request body could not be read to its end ("
                + cause.getClass().getSimpleName()
                + "): it was cut short or the connection broke");
      }
      if (cause instanceof UnsupportedCharsetException
          || cause instanceof IllegalCharsetNameException) {
        return Errors.badRequest(
            "unknown charset in Content-Type: '" + Json.abbreviate(cause.getMessage()) + "'");
      }
    }
    return null;
  }

  /** The document the failed call was about, for the log; null if it names none. */
  private String docId() {
    try {
      return uriInfo == null ? null : uriInfo.getPathParameters().getFirst("id");
    } catch (RuntimeException e) { // outside a request's scope
      return null;
    }
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
        .entity(new Json.ErrorBody(code, message))
        .build();
  }
}
