package io.meshorch.meshctl.cli;

import io.meshorch.meshctl.local.LocalStack;
import io.meshorch.sandbox.core.SandboxLatencies;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where to find the mesh bus: a Kafka cluster, or local mode in a data folder. */
public final class BusOptions {
  @Option(
      names = "--bootstrap-server",
      defaultValue = "${env:MESH_KAFKA_BOOTSTRAP}",
      description =
          "Kafka brokers running the services (host:port). Default: local mode with an embedded"
              + " broker, the services and the sandbox cloud in this process (env"
              + " MESH_KAFKA_BOOTSTRAP).")
  String bootstrapServers;

  @Option(
      names = "--data-dir",
      defaultValue = "${env:MESHCTL_HOME:-.meshctl}",
      description =
          "Local mode's folder: Kafka log, secrets, keys, logs (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  boolean local() {
    return bootstrapServers == null || bootstrapServers.isBlank();
  }

  /** The bus with services (starting local mode when no brokers are given). */
  MeshBus withServices() {
    return withServices(LocalStack.DEFAULT_LATENCIES);
  }

  /** The bus with services; local mode's sandbox takes {@code latencies}. */
  MeshBus withServices(SandboxLatencies latencies) {
    return local() ? LocalStack.start(dataDir, true, latencies) : MeshBus.remote(bootstrapServers);
  }

  /** The bus for reading only (local mode starts the broker alone, to read its history). */
  MeshBus forReading() {
    return local() ? LocalStack.start(dataDir, false) : MeshBus.remote(bootstrapServers);
  }
}
