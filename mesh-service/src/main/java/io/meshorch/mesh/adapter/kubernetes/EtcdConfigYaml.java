package io.meshorch.mesh.adapter.kubernetes;

import io.meshorch.mesh.domain.EtcdClientConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Writes an {@link EtcdClientConfig} as the YAML document Cilium reads, with SnakeYAML (never by
 * concatenating text). The bytes are those the Cilium chart renders for the same configuration
 * (block style, keys in the chart's order, no final line break), so a {@code helm upgrade} that
 * takes the objects over finds nothing to change.
 */
final class EtcdConfigYaml {
  private EtcdConfigYaml() {}

  static String write(EtcdClientConfig config) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("endpoints", List.of(config.endpoint()));
    doc.put("trusted-ca-file", config.trustedCaFile());
    doc.put("key-file", config.keyFile());
    doc.put("cert-file", config.certFile());
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndicatorIndent(0);
    options.setIndent(2);
    return new Yaml(options).dump(doc).stripTrailing();
  }
}
