package dev.tandem.sequencer.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.sequencer.auth.RoleAuthorizer;
import dev.tandem.sequencer.config.TandemConfig;
import dev.tandem.sequencer.document.Sequencers;
import dev.tandem.sequencer.protocol.Json;
import dev.tandem.sequencer.server.OutboundBudget;
import jakarta.ws.rs.ext.ContextResolver;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/** The Jersey application under {@code /api}: the document resources and the error mapping. */
public final class RestApplication extends ResourceConfig {
  public RestApplication(
      Sequencers sequencers,
      RoleAuthorizer authorizer,
      TandemConfig config,
      OutboundBudget outboundBudget) {
    Access access = new Access(authorizer);
    register(new DocumentResource(sequencers, access, config));
    register(new DocumentListResource(sequencers, access));
    register(new ExportResource(sequencers, access));
    register(new ImportResource(sequencers, access));
    register(new DiffResource(sequencers, access));
    register(new EventsResource(sequencers, access, config, outboundBudget));
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
