package io.meshorch.mesh;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * mesh-service: once every cluster of a mesh has its ports updated, connects all pairs of clusters
 * (Secret {@code cilium-clustermesh} and the agents' host aliases) and checks that each cluster's
 * Cilium agents see the nodes of all the others ({@code MeshReady} / {@code MeshFailed}).
 */
@SpringBootApplication
public class MeshServiceApplication {
  /** Name of the configuration file ({@code mesh-service.yml}) and of the service. */
  public static final String CONFIG_NAME = "mesh-service";

  public static void main(String[] args) {
    new SpringApplicationBuilder(MeshServiceApplication.class)
        .properties("spring.config.name=" + CONFIG_NAME)
        .run(args);
  }
}
