package io.meshorch.rke;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** rke-service: Kubernetes on the VMs of each cluster, over SSH and RKE. */
@SpringBootApplication
public class RkeServiceApplication {
  /** The name of this service's configuration file ({@code rke-service.yml}). */
  public static final String CONFIG_NAME = "rke-service";

  public static void main(String[] args) {
    new SpringApplicationBuilder(RkeServiceApplication.class)
        .properties("spring.config.name=" + CONFIG_NAME)
        .run(args);
  }
}
