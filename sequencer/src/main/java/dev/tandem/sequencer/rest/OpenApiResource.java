package dev.tandem.sequencer.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tandem.sequencer.protocol.Json;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverter;
import io.swagger.v3.core.converter.ModelConverterContext;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.jaxrs2.Reader;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.integration.SwaggerConfiguration;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /api/openapi.json}: the OpenAPI 3 description of the REST API, read once by
 * swagger-core from the resources' JAX-RS annotations and the records they take and answer, so it
 * cannot drift from what the server serves. Open to everyone, like the source it is made from.
 */
@Path("openapi.json")
@Singleton
public final class OpenApiResource {
  private final String document = build();

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "This description of the REST API (OpenAPI 3)")
  public String openApi() {
    return document;
  }

  static {
    // swagger-core's converters are one list per JVM: added once, however many servers start.
    ModelConverters.getInstance().addConverter(new AnswerOfAFuture());
  }

  private static String build() {
    OpenAPI base =
        new OpenAPI()
            .info(
                new Info()
                    .title("Tandem REST API")
                    .version("1")
                    .description(
                        "Documents, their history and checkpoints, and a live feed (SSE);"
                            + " see docs/rest.md. Errors are {code, message} with the HTTP"
                            + " status of their code."))
            .servers(List.of(new Server().url("/api")))
            .components(
                new Components()
                    .addSecuritySchemes(
                        "bearer",
                        new SecurityScheme()
                            .type(SecurityScheme.Type.HTTP)
                            .scheme("bearer")
                            .bearerFormat("JWT"))
                    .addSecuritySchemes(
                        Access.TOKEN_PARAMETER,
                        new SecurityScheme()
                            .type(SecurityScheme.Type.APIKEY)
                            .in(SecurityScheme.In.QUERY)
                            .name(Access.TOKEN_PARAMETER)))
            .addSecurityItem(new SecurityRequirement().addList("bearer"))
            .addSecurityItem(new SecurityRequirement().addList(Access.TOKEN_PARAMETER));
    Reader reader = new Reader(new SwaggerConfiguration().openAPI(base).readAllResources(true));
    OpenAPI api = reader.read(new LinkedHashSet<>(RestApplication.RESOURCES));
    answersByStatus(api);
    try {
      return io.swagger.v3.core.util.Json.mapper().writeValueAsString(api);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the OpenAPI description", e);
    }
  }

  /**
   * swagger-core names a method's answer {@code default}; here it is 200, or 201 for a method
   * marked {@link Endpoint.Created}, and {@code default} is the error body every call may answer
   * ({@code {code, message}} with the status of its code, docs/protocol.md#error-codes).
   */
  private static void answersByStatus(OpenAPI api) {
    Set<String> creating = new HashSet<>();
    for (Class<?> resource : RestApplication.RESOURCES) {
      for (Method method : resource.getMethods()) {
        if (method.isAnnotationPresent(Endpoint.Created.class)) {
          creating.add(method.getName()); // swagger-core's operation id
        }
      }
    }
    ModelConverters.getInstance()
        .read(Json.ErrorBody.class)
        .forEach(api.getComponents()::addSchemas);
    ApiResponse error =
        new ApiResponse()
            .description("An error: its code and the HTTP status of that code")
            .content(
                new Content()
                    .addMediaType(
                        MediaType.APPLICATION_JSON,
                        new io.swagger.v3.oas.models.media.MediaType()
                            .schema(new Schema<>().$ref("#/components/schemas/ErrorBody"))));
    api.getPaths()
        .values()
        .forEach(
            path ->
                path.readOperations()
                    .forEach(
                        operation -> {
                          ApiResponses responses = operation.getResponses();
                          ApiResponse answer = responses.remove("default");
                          if (answer != null) {
                            boolean created = creating.contains(operation.getOperationId());
                            responses.addApiResponse(
                                created ? "201" : "200",
                                answer.description(created ? "Created" : "OK"));
                          }
                          responses.addApiResponse("default", error);
                        }));
  }

  /**
   * A method that answers {@code CompletionStage<T>} answers {@code T} once it completes: its
   * schema is {@code T}'s.
   */
  private static final class AnswerOfAFuture implements ModelConverter {
    @Override
    public Schema<?> resolve(
        AnnotatedType type, ModelConverterContext context, Iterator<ModelConverter> chain) {
      if (type.getType() instanceof ParameterizedType future
          && future.getRawType() instanceof Class<?> raw
          && CompletionStage.class.isAssignableFrom(raw)) {
        Type answer = future.getActualTypeArguments()[0];
        return context.resolve(
            new AnnotatedType(answer).resolveAsRef(true).ctxAnnotations(type.getCtxAnnotations()));
      }
      return chain.hasNext() ? chain.next().resolve(type, context, chain) : null;
    }
  }
}
