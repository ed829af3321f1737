package io.meshorch.meshctl.cli;

/** Where meshctl talks to: a Kafka cluster someone runs, or the local mode it starts itself. */
public interface MeshBus extends AutoCloseable {

  /** {@code host:port[,host:port]} of the Kafka brokers. */
  String bootstrapServers();

  @Override
  void close();

  /** A Kafka cluster that already runs the services. */
  static MeshBus remote(String bootstrapServers) {
    return new MeshBus() {
      @Override
      public String bootstrapServers() {
        return bootstrapServers;
      }

      @Override
      public void close() {}
    };
  }
}
