package io.meshorch.local;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node Kafka broker in KRaft combined mode (broker and controller in one process), keeping
 * its log under a local folder so that the events of earlier runs stay readable. Topic
 * auto-creation is off, as in production: every service declares its topics.
 */
public final class LocalKafkaBroker implements AutoCloseable {
  private final Path dataDir;
  private final int brokerPort;
  private final int controllerPort;
  private KafkaRaftServer server;

  /**
   * A broker whose log goes under {@code dataDir}, on loopback ports chosen now (free at this
   * moment, outside the ephemeral range: {@link LoopbackPorts}), so that its {@link
   * #bootstrapServers()} can be handed out while it starts.
   */
  public LocalKafkaBroker(Path dataDir) {
    this.dataDir = dataDir.toAbsolutePath();
    List<Integer> ports = LoopbackPorts.reserve(2);
    this.brokerPort = ports.get(0);
    this.controllerPort = ports.get(1);
  }

  /** Formats the folder on first use and starts the broker on its loopback ports. */
  public LocalKafkaBroker start() {
    try {
      Files.createDirectories(dataDir);
      Path logDir = dataDir.resolve("log");
      Properties props = new Properties();
      props.put("process.roles", "broker,controller");
      props.put("node.id", "1");
      props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
      props.put(
          "listeners",
          "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
      props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
      props.put("controller.listener.names", "CONTROLLER");
      props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      props.put("inter.broker.listener.name", "PLAINTEXT");
      props.put("log.dirs", logDir.toString());
      props.put("auto.create.topics.enable", "false");
      props.put("offsets.topic.replication.factor", "1");
      props.put("offsets.topic.num.partitions", "3");
      props.put("transaction.state.log.replication.factor", "1");
      props.put("transaction.state.log.min.isr", "1");
      props.put("share.coordinator.state.topic.replication.factor", "1");
      props.put("share.coordinator.state.topic.min.isr", "1");
      props.put("group.initial.rebalance.delay.ms", "0");
      props.put("num.partitions", "3");
      format(logDir);
      // On a fatal fault (a listener port taken, a full disk) Kafka ends the whole process, and
      // the user's command would stop without a word: say why on stderr first.
      Exit.setHaltProcedure(
          (status, message) -> {
            System.err.println(fatal(status, message));
            Runtime.getRuntime().halt(status);
          });
      Exit.setExitProcedure(
          (status, message) -> {
            System.err.println(fatal(status, message));
            System.exit(status);
          });
      try {
        server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        server.startup();
      } catch (RuntimeException e) {
        Exit.resetHaltProcedure();
        Exit.resetExitProcedure();
        throw e;
      }
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the local Kafka broker in " + dataDir, e);
    }
  }

  private String fatal(int status, String message) {
    return "local Kafka broker in "
        + dataDir
        + ": fatal error, the process stops (exit "
        + status
        + ")"
        + (message == null ? "" : ": " + message)
        + "; its cause is in the broker's log lines";
  }

  /** The controller listener's port (tests). */
  int controllerPort() {
    return controllerPort;
  }

  /** {@code host:port} of the broker: known before {@link #start()}, answering once started. */
  public String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  private void format(Path logDir) throws IOException {
    Path clusterIdFile = dataDir.resolve("cluster.id");
    String clusterId;
    if (Files.exists(clusterIdFile)) {
      clusterId = Files.readString(clusterIdFile, StandardCharsets.UTF_8).trim();
    } else {
      clusterId = Uuid.randomUuid().toString();
      Files.writeString(clusterIdFile, clusterId, StandardCharsets.UTF_8);
    }
    try {
      new Formatter()
          .setPrintStream(
              new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))
          .setNodeId(1)
          .setClusterId(clusterId)
          .setDirectories(List.of(logDir.toString()))
          .setMetadataLogDirectory(logDir.toString())
          .setControllerListenerName("CONTROLLER")
          .setReleaseVersion(MetadataVersion.latestProduction())
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .setIgnoreFormatted(true)
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format the Kafka log in " + logDir, e);
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
      Exit.resetHaltProcedure();
      Exit.resetExitProcedure();
    }
  }
}
