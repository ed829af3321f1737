package io.meshorch.infra;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * infra-service: the only service that talks to OpenStack. Validates mesh requests, creates one
 * Heat stack per cluster ({@code VmsReady}) and lets the mesh endpoint IP through the node ports
 * ({@code PortsUpdated}).
 */
@SpringBootApplication
public class InfraServiceApplication {
  /** Name of the configuration file, {@code infra-service.yml}. */
  public static final String CONFIG_NAME = "infra-service";

  public static void main(String[] args) {
    new SpringApplicationBuilder(InfraServiceApplication.class)
        .properties("spring.config.name=" + CONFIG_NAME)
        .run(args);
  }
}
