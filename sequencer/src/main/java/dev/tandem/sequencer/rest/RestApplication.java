package dev.tandem.sequencer.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.sequencer.auth.RoleAuthorizer;
import dev.tandem.sequencer.config.TandemConfig;
import dev.tandem.sequencer.document.Sequencers;
import dev.tandem.sequencer.protocol.Json;
import dev.tandem.sequencer.server.OutboundBudget;
import jakarta.ws.rs.ext.ContextResolver;
import java.util.List;
import org.glassfish.jersey.internal.inject.AbstractBinder;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/**
 * The Jersey application under {@code /api}: the resources, the parts they are built from, and the
 * error mapping. The one place a resource is registered: its class is listed in {@link #RESOURCES},
 * is {@code @Singleton} (built once, like the server's other parts) and takes what it needs in its
 * {@code @Inject} constructor, from the parts bound below. Jersey builds it. A resource registered
 * as an object instead would be served too, but Jersey would warn at every start that it "will be
 * ignored" (jersey#3700: it checks an object against the resource classes only).
 */
public final class RestApplication extends ResourceConfig {
  /**
   * Jersey's Jackson reads bodies and writes answers with the server's strict mapper. A class, not
   * a lambda: Jersey finds a context resolver by its declared type argument.
   */
  private static final class StrictMapper implements ContextResolver<ObjectMapper> {
    @Override
    public ObjectMapper getContext(Class<?> type) {
      return Json.MAPPER;
    }
  }

  /** Every resource under {@code /api}. */
  public static final List<Class<?>> RESOURCES =
      List.of(
          DocumentResource.class,
          DocumentListResource.class,
          ExportResource.class,
          ImportResource.class,
          DiffResource.class,
          BlameResource.class,
          PruneResource.class,
          EventsResource.class,
          OpenApiResource.class);

  public RestApplication(
      Sequencers sequencers,
      RoleAuthorizer authorizer,
      TandemConfig config,
      OutboundBudget outboundBudget) {
    Access access = new Access(authorizer);
    register(
        new AbstractBinder() {
          @Override
          protected void configure() {
            bind(sequencers).to(Sequencers.class);
            bind(access).to(Access.class);
            bind(config).to(TandemConfig.class);
            bind(outboundBudget).to(OutboundBudget.class);
          }
        });
    RESOURCES.forEach(this::register);
    register(new CrossOrigin(config.allowedOrigins()));
    register(new JsonBodies());
    register(new Endpoint(access));
    register(new Endpoint.Times());
    register(new BodyLimit(config.maxMessageBytes()));
    register(new ErrorMapper(sequencers.metrics()));
    register(JacksonFeature.withoutExceptionMappers());
    register(new StrictMapper());
    // WADL needs a JAXB implementation, which is not on the class path: looking for one at start
    // costs time and ends in a warning.
    property(ServerProperties.WADL_FEATURE_DISABLE, true);
  }
}
