package io.meshorch.infra.config;

import io.meshorch.infra.domain.CloudCredentials;
import io.meshorch.infra.domain.CloudCredentialsParser;
import io.meshorch.infra.domain.CloudCredentialsParser.InvalidCloudConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/** Reads the credentials from the configured clouds.yaml, else from the {@code OS_*} variables. */
final class CloudCredentialsSource implements Supplier<CloudCredentials> {
  private final OpenstackProperties props;
  private final Map<String, String> env;

  CloudCredentialsSource(OpenstackProperties props, Map<String, String> env) {
    this.props = props;
    this.env = env;
  }

  @Override
  public CloudCredentials get() {
    if (props.cloudsFile() == null || props.cloudsFile().isBlank()) {
      return CloudCredentialsParser.fromEnvironment(env);
    }
    Path file = Path.of(props.cloudsFile());
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new InvalidCloudConfig("cannot read mesh.openstack.clouds-file " + file + ": " + e);
    }
    return CloudCredentialsParser.fromCloudsYaml(text, props.cloud(), file.toString());
  }
}
