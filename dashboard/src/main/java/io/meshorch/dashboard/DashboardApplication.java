package io.meshorch.dashboard;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The live dashboard: every mesh with its state and age, per mesh a grid of clusters × stages,
 * failures and the final node table, pushed to the browser as the events arrive. It reads the mesh
 * topics only.
 */
@SpringBootApplication
public class DashboardApplication {
  /** Name of the configuration file ({@code dashboard.yml}). */
  public static final String CONFIG_NAME = "dashboard";

  public static void main(String[] args) {
    new SpringApplicationBuilder(DashboardApplication.class)
        .properties("spring.config.name=" + CONFIG_NAME)
        .run(args);
  }
}
