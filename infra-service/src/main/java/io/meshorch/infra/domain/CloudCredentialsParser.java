package io.meshorch.infra.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads OpenStack credentials in the forms operators already have: a {@code clouds.yaml} entry
 * ({@code clouds.<cloud>.auth.{auth_url, username, password, project_name | project_id,
 * user_domain_name, project_domain_name}} and {@code clouds.<cloud>.region_name}) or the {@code
 * OS_*} variables of an openrc file. Errors name the missing or malformed key.
 */
public final class CloudCredentialsParser {
  /** Domain used when none is given, as in a default Keystone deployment. */
  public static final String DEFAULT_DOMAIN = "Default";

  private CloudCredentialsParser() {}

  /**
   * The credentials of {@code cloud} in the clouds.yaml text {@code yaml}.
   *
   * @param origin the file the text came from, for error messages
   * @throws InvalidCloudConfig naming the missing or malformed key
   */
  public static CloudCredentials fromCloudsYaml(String yaml, String cloud, String origin) {
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    } catch (YAMLException e) {
      throw new InvalidCloudConfig(origin + " is not valid YAML: " + e.getMessage());
    }
    String at = origin + ": clouds." + cloud;
    Map<?, ?> clouds = asMap(root == null ? null : child(root, "clouds"), origin + ": clouds");
    Object entry = clouds.get(cloud);
    if (entry == null) {
      throw new InvalidCloudConfig(
          origin
              + ": no cloud named '"
              + cloud
              + "' under 'clouds' (found "
              + clouds.keySet()
              + ")");
    }
    Map<?, ?> c = asMap(entry, at);
    Map<?, ?> auth = asMap(c.get("auth"), at + ".auth");
    String source = origin + " (cloud " + cloud + ")";
    List<String> missing = new ArrayList<>();
    String authUrl = required(auth, "auth_url", at + ".auth.", missing);
    String username = required(auth, "username", at + ".auth.", missing);
    String password = required(auth, "password", at + ".auth.", missing);
    String projectName = text(auth.get("project_name"));
    String projectId = text(auth.get("project_id"));
    if (projectName == null && projectId == null) {
      missing.add(at + ".auth.project_name (or project_id)");
    }
    if (!missing.isEmpty()) {
      throw new InvalidCloudConfig("missing OpenStack setting(s): " + String.join(", ", missing));
    }
    return new CloudCredentials(
        source,
        authUrl,
        username,
        password,
        projectName,
        projectId,
        orDefault(text(auth.get("user_domain_name")), text(auth.get("domain_name"))),
        orDefault(text(auth.get("project_domain_name")), text(auth.get("domain_name"))),
        text(c.get("region_name")));
  }

  /**
   * The credentials in the {@code OS_*} variables of {@code env} ({@code OS_AUTH_URL, OS_USERNAME,
   * OS_PASSWORD, OS_PROJECT_NAME or OS_PROJECT_ID, OS_USER_DOMAIN_NAME, OS_PROJECT_DOMAIN_NAME,
   * OS_REGION_NAME}).
   *
   * @throws InvalidCloudConfig naming every missing variable
   */
  public static CloudCredentials fromEnvironment(Map<String, String> env) {
    List<String> missing = new ArrayList<>();
    String authUrl = required(env, "OS_AUTH_URL", "", missing);
    String username = required(env, "OS_USERNAME", "", missing);
    String password = required(env, "OS_PASSWORD", "", missing);
    String projectName = text(env.get("OS_PROJECT_NAME"));
    String projectId = text(env.get("OS_PROJECT_ID"));
    if (projectName == null && projectId == null) {
      missing.add("OS_PROJECT_NAME (or OS_PROJECT_ID)");
    }
    if (!missing.isEmpty()) {
      throw new InvalidCloudConfig(
          "missing OpenStack environment variable(s): "
              + String.join(", ", missing)
              + " (or set mesh.openstack.clouds-file to a clouds.yaml)");
    }
    return new CloudCredentials(
        "environment (OS_*)",
        authUrl,
        username,
        password,
        projectName,
        projectId,
        orDefault(text(env.get("OS_USER_DOMAIN_NAME")), text(env.get("OS_DOMAIN_NAME"))),
        orDefault(text(env.get("OS_PROJECT_DOMAIN_NAME")), text(env.get("OS_DOMAIN_NAME"))),
        text(env.get("OS_REGION_NAME")));
  }

  private static Object child(Object node, String key) {
    return node instanceof Map<?, ?> m ? m.get(key) : null;
  }

  private static Map<?, ?> asMap(Object node, String at) {
    if (node instanceof Map<?, ?> m) {
      return m;
    }
    throw new InvalidCloudConfig(
        at + " is required and must be a mapping" + (node == null ? "" : ", found " + node));
  }

  private static String required(Map<?, ?> map, String key, String prefix, List<String> missing) {
    String value = text(map.get(key));
    if (value == null) {
      missing.add(prefix + key);
    }
    return value;
  }

  private static String text(Object value) {
    if (value == null) {
      return null;
    }
    String s = value.toString().trim();
    return s.isEmpty() ? null : s;
  }

  private static String orDefault(String value, String fallback) {
    if (value != null) {
      return value;
    }
    return fallback != null ? fallback : DEFAULT_DOMAIN;
  }

  /** The OpenStack settings are missing a key or malformed. */
  public static final class InvalidCloudConfig extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidCloudConfig(String message) {
      super(message);
    }
  }
}
