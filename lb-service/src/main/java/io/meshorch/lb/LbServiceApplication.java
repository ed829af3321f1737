package io.meshorch.lb;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * lb-service: answers {@code CiliumReady} with MetalLB, the cluster's layer-2 pool and a
 * LoadBalancer IP for Cilium's mesh control plane ({@code LbIpAssigned}).
 */
@SpringBootApplication
public class LbServiceApplication {
  /** Name of the configuration file ({@code lb-service.yml}) and of the service. */
  public static final String CONFIG_NAME = "lb-service";

  public static void main(String[] args) {
    new SpringApplicationBuilder(LbServiceApplication.class)
        .properties("spring.config.name=" + CONFIG_NAME)
        .run(args);
  }
}
