package io.meshorch.rke.domain;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * RKE2 writes its admin kubeconfig for use on the server itself ({@code server:
 * https://127.0.0.1:6443}); the rest of the system reaches the API at the first node's address,
 * which the server certificate holds as a {@code tls-san}.
 */
public final class Rke2Kubeconfig {
  private Rke2Kubeconfig() {}

  /**
   * {@code yaml} with the host of every cluster's {@code server} replaced by {@code address}; the
   * scheme and port stay (RKE2: {@code https://127.0.0.1:6443} becomes {@code
   * https://<address>:6443}).
   *
   * @throws InvalidPlanException when it is not a kubeconfig with at least one cluster server
   */
  @SuppressWarnings("unchecked")
  public static Kubeconfig pointedAt(String yaml, String address) {
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    } catch (YAMLException e) {
      // The parser's message may quote the content (credentials): keep it out.
      throw new InvalidPlanException("RKE2's rke2.yaml is not valid YAML");
    }
    boolean found = false;
    if (root instanceof Map<?, ?> file && file.get("clusters") instanceof List<?> clusters) {
      for (Object c : clusters) {
        if (c instanceof Map<?, ?> entry
            && entry.get("cluster") instanceof Map<?, ?> cluster
            && cluster.get("server") instanceof String server) {
          ((Map<String, Object>) cluster).put("server", withHost(server, address));
          found = true;
        }
      }
    }
    if (!found) {
      throw new InvalidPlanException("RKE2's rke2.yaml has no clusters[].cluster.server");
    }
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Kubeconfig(new Yaml(options).dump(root));
  }

  private static String withHost(String server, String address) {
    URI uri;
    try {
      uri = new URI(server);
    } catch (URISyntaxException e) {
      throw new InvalidPlanException("RKE2's rke2.yaml has a server that is not a URL");
    }
    if (uri.getScheme() == null || uri.getHost() == null) {
      throw new InvalidPlanException("RKE2's rke2.yaml has a server that is not a URL");
    }
    int port = uri.getPort() < 0 ? Rke2Config.API_PORT : uri.getPort();
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    return uri.getScheme() + "://" + address + ":" + port + path;
  }
}
