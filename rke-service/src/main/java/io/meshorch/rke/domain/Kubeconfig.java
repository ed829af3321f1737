package io.meshorch.rke.domain;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * An admin kubeconfig as a deployer wrote it. It holds full credentials: {@link #toString()} never
 * shows the content, so it cannot leak through a log line or a message.
 *
 * @param yaml the kubeconfig text
 */
public record Kubeconfig(String yaml) {
  public Kubeconfig {
    Objects.requireNonNull(yaml, "yaml");
  }

  /** The bytes to store, UTF-8. */
  public byte[] bytes() {
    return yaml.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The API server URL, {@code clusters[0].cluster.server}.
   *
   * @throws InvalidPlanException when the kubeconfig is not YAML or lacks that field
   */
  public String apiServerUrl() {
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    } catch (YAMLException e) {
      // The parser's message may quote the content: keep it out.
      throw new InvalidPlanException("kubeconfig is not valid YAML");
    }
    if (root instanceof Map<?, ?> file
        && file.get("clusters") instanceof List<?> clusters
        && !clusters.isEmpty()
        && clusters.get(0) instanceof Map<?, ?> first
        && first.get("cluster") instanceof Map<?, ?> cluster
        && cluster.get("server") instanceof String server
        && !server.isBlank()) {
      return server;
    }
    throw new InvalidPlanException("kubeconfig has no clusters[0].cluster.server");
  }

  @Override
  public String toString() {
    return "Kubeconfig[redacted, " + yaml.length() + " chars]";
  }
}
