package dev.tandem.sequencer.rest;

import dev.tandem.sequencer.auth.Principal;
import dev.tandem.sequencer.auth.Role;
import dev.tandem.sequencer.error.Errors;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ParamConverter;
import jakarta.ws.rs.ext.ParamConverterProvider;
import java.lang.annotation.Annotation;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Type;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * The one shape of a REST call, so that a resource method is only its own work. In order:
 *
 * <ol>
 *   <li>CORS and the JSON content type ({@link CrossOrigin}, {@link JsonBodies});
 *   <li>{@link Requires}: the document id in the path is checked and the caller authorized for that
 *       role on it ({@link Access}), before anything is read; the principal is then {@link
 *       #principal}'s;
 *   <li>the parameters: typed query parameters ({@code Long}, {@code Instant}; a value of the wrong
 *       type is {@code bad_request}) and the body, bound by Jackson to a record with the strict
 *       rules of {@link dev.tandem.sequencer.protocol.Json} and at most {@code max-message-bytes}
 *       long ({@link BodyLimit});
 *   <li>the method returns the answer's record, or a {@code CompletionStage} of it (nothing waits
 *       on a Grizzly thread), which Jackson writes: 200, or 201 for a method marked {@link
 *       Created};
 *   <li>anything thrown or failed on the way is answered by {@link ErrorMapper}: {@code {code,
 *       message}} with the status of its {@link dev.tandem.sequencer.error.ErrorCode}.
 * </ol>
 */
final class Endpoint implements DynamicFeature {
  private static final String PRINCIPAL = Endpoint.class.getName() + ".principal";

  /** The role the call needs on the document of its {@code {id}}. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.METHOD)
  @interface Requires {
    Role value();
  }

  /** A call that creates something: its answer is 201. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.METHOD)
  @interface Created {}

  private final Access access;

  Endpoint(Access access) {
    this.access = access;
  }

  @Override
  public void configure(ResourceInfo resource, FeatureContext context) {
    Requires requires = resource.getResourceMethod().getAnnotation(Requires.class);
    if (requires != null) {
      // After JsonBodies: a body of the wrong type is refused whoever sends it.
      context.register(new RoleCheck(access, requires.value()), Priorities.HEADER_DECORATOR + 1);
    }
    if (resource.getResourceMethod().isAnnotationPresent(Created.class)) {
      context.register(new CreatedStatus());
    }
  }

  /** The principal the call was authorized for ({@link Requires}). */
  static Principal principal(ContainerRequestContext request) {
    return (Principal) request.getProperty(PRINCIPAL);
  }

  /**
   * The page size of a listing: {@code limit} (default {@code byDefault}) from 1 to {@code max}.
   */
  static int pageSize(Long limit, int byDefault, int max) {
    long size = limit == null ? byDefault : limit;
    if (size < 1 || size > max) {
      throw Errors.badRequest("limit : " + size + " (expected: 1 to " + max + ")");
    }
    return (int) size;
  }

  private record RoleCheck(Access access, Role role) implements ContainerRequestFilter {
    @Override
    public void filter(ContainerRequestContext request) {
      String id = request.getUriInfo().getPathParameters().getFirst("id");
      request.setProperty(PRINCIPAL, access.check(request, id, role));
    }
  }

  private static final class CreatedStatus implements ContainerResponseFilter {
    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
      if (response.getStatus() == Response.Status.OK.getStatusCode()) {
        response.setStatus(Response.Status.CREATED.getStatusCode());
      }
    }
  }

  /** A parameter's converter refused its value; the message says what it expected. */
  static final class Expected extends IllegalArgumentException {
    Expected(String expected) {
      super(expected);
    }
  }

  /**
   * Query parameters of type {@link Instant}: ISO-8601 with an offset, seconds optional ({@code
   * 2026-11-30T12:00Z}).
   */
  @Priority(Priorities.USER)
  static final class Times implements ParamConverterProvider {
    @Override
    @SuppressWarnings("unchecked")
    public <T> ParamConverter<T> getConverter(
        Class<T> type, Type genericType, Annotation[] annotations) {
      if (type != Instant.class) {
        return null;
      }
      return (ParamConverter<T>)
          new ParamConverter<Instant>() {
            @Override
            public Instant fromString(String value) {
              if (value == null) { // not given
                return null;
              }
              try {
                return OffsetDateTime.parse(value).toInstant();
              } catch (DateTimeParseException e) { // ErrorMapper names the parameter and value
                throw new Expected("an ISO-8601 time with an offset, e.g. 2026-11-30T12:00:00Z");
              }
            }

            @Override
            public String toString(Instant value) {
              return value.toString();
            }
          };
    }
  }
}
