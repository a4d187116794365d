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
  /** Every resource under {@code /api}. */
  static final List<Class<?>> RESOURCES =
      List.of(
          DocumentResource.class,
          DocumentListResource.class,
          ExportResource.class,
          ImportResource.class,
          DiffResource.class,
          BlameResource.class,
          PruneResource.class,
          EventsResource.class);

  public RestApplication(
      Sequencers sequencers,
      RoleAuthorizer authorizer,
      TandemConfig config,
      OutboundBudget outboundBudget) {
    register(
        new AbstractBinder() {
          @Override
          protected void configure() {
            bind(sequencers).to(Sequencers.class);
            bind(new Access(authorizer)).to(Access.class);
            bind(config).to(TandemConfig.class);
            bind(outboundBudget).to(OutboundBudget.class);
          }
        });
    RESOURCES.forEach(this::register);
    register(new CrossOrigin(config.allowedOrigins()));
    register(new JsonBodies());
    register(new ErrorMapper(sequencers.metrics()));
    register(JacksonFeature.withoutExceptionMappers());
    register((ContextResolver<ObjectMapper>) type -> Json.MAPPER);
    // WADL needs a JAXB implementation, which is not on the class path: looking for one at start
    // costs time and ends in a warning.
    property(ServerProperties.WADL_FEATURE_DISABLE, true);
  }
}
