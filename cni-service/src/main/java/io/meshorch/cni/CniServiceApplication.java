package io.meshorch.cni;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * cni-service: answers {@code ClusterUp} by installing Cilium with the cluster's name, ID, pod CIDR
 * and the mesh's shared CA, and publishes {@code CiliumReady} once its agents run.
 */
@SpringBootApplication
public class CniServiceApplication {
  /** Name of the configuration file ({@code cni-service.yml}) and of the service. */
  public static final String CONFIG_NAME = "cni-service";

  public static void main(String[] args) {
    new SpringApplicationBuilder(CniServiceApplication.class)
        .properties("spring.config.name=" + CONFIG_NAME)
        .run(args);
  }
}
