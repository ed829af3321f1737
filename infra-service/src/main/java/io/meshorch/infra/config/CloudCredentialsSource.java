package io.meshorch.infra.config;

import io.meshorch.infra.domain.CloudCredentials;
import io.meshorch.infra.domain.CloudCredentialsParser;
import io.meshorch.infra.domain.CloudCredentialsParser.InvalidCloudConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reads the credentials from the configured clouds.yaml, merged with a secure.yaml when there is
 * one, else from the {@code OS_*} variables.
 *
 * <p>The secure.yaml is found as the OpenStack client (openstacksdk) finds it: {@code
 * mesh.openstack.secure-file} ({@code $OS_CLIENT_SECURE_FILE}) if set, which must then exist; else
 * the first of {@code secure.yaml}, {@code secure.yml}, {@code secure.json} in the current
 * directory, {@code ~/.config/openstack} ({@code $XDG_CONFIG_HOME/openstack}) and {@code
 * /etc/openstack}.
 */
final class CloudCredentialsSource implements Supplier<CloudCredentials> {
  private static final List<String> SECURE_NAMES =
      List.of("secure.yaml", "secure.yml", "secure.json");

  private final OpenstackProperties props;
  private final Map<String, String> env;
  private final List<Path> searchPath;

  CloudCredentialsSource(OpenstackProperties props, Map<String, String> env) {
    this(props, env, defaultSearchPath(env));
  }

  /**
   * @param searchPath the directories searched for a secure.yaml when none is named
   */
  CloudCredentialsSource(
      OpenstackProperties props, Map<String, String> env, List<Path> searchPath) {
    this.props = props;
    this.env = env;
    this.searchPath = List.copyOf(searchPath);
  }

  /** The OpenStack client's search path on Linux: cwd, the user's, the site's config dir. */
  static List<Path> defaultSearchPath(Map<String, String> env) {
    List<Path> dirs = new ArrayList<>();
    dirs.add(Path.of("").toAbsolutePath());
    String xdg = env.get("XDG_CONFIG_HOME");
    String home = System.getProperty("user.home");
    if (xdg != null && !xdg.isBlank()) {
      dirs.add(Path.of(xdg, "openstack"));
    } else if (home != null) {
      dirs.add(Path.of(home, ".config", "openstack"));
    }
    dirs.add(Path.of("/etc/openstack"));
    return dirs;
  }

  @Override
  public CloudCredentials get() {
    if (props.cloudsFile() == null || props.cloudsFile().isBlank()) {
      return CloudCredentialsParser.fromEnvironment(env);
    }
    Path file = Path.of(props.cloudsFile());
    String text = read(file, "mesh.openstack.clouds-file");
    Path secure = secureFile();
    String secureText = secure == null ? null : read(secure, "the secure.yaml");
    return CloudCredentialsParser.fromCloudsYaml(
        text,
        file.toString(),
        secureText,
        secure == null ? null : secure.toString(),
        props.cloud());
  }

  private Path secureFile() {
    if (props.secureFile() != null && !props.secureFile().isBlank()) {
      Path named = Path.of(props.secureFile());
      if (!Files.isRegularFile(named)) {
        throw new InvalidCloudConfig(
            "mesh.openstack.secure-file (OS_CLIENT_SECURE_FILE) names "
                + named
                + ", which is not a readable file");
      }
      return named;
    }
    for (Path dir : searchPath) {
      for (String name : SECURE_NAMES) {
        Path candidate = dir.resolve(name);
        if (Files.isRegularFile(candidate)) {
          return candidate;
        }
      }
    }
    return null;
  }

  private static String read(Path file, String what) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new InvalidCloudConfig("cannot read " + what + " " + file + ": " + e);
    }
  }
}
