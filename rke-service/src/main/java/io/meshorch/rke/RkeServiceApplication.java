package io.meshorch.rke;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * rke-service: the only service that opens SSH sessions and runs RKE. Turns {@code VmsReady} into a
 * Kubernetes cluster ({@code ClusterUp}) whose admin kubeconfig stays in the secret store.
 */
@SpringBootApplication
public class RkeServiceApplication {
  /** Name of the configuration file, {@code rke-service.yml}. */
  public static final String CONFIG_NAME = "rke-service";

  public static void main(String[] args) {
    new SpringApplicationBuilder(RkeServiceApplication.class)
        .properties("spring.config.name=" + CONFIG_NAME)
        .run(args);
  }
}
