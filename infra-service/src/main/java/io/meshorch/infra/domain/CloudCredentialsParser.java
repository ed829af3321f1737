package io.meshorch.infra.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads OpenStack credentials in the forms operators already have, with the keys and rules of the
 * OpenStack client (openstacksdk / os-client-config, keystoneauth):
 *
 * <ul>
 *   <li>a {@code clouds.yaml} entry, optionally deep-merged with the same entry of a {@code
 *       secure.yaml} (secure.yaml wins): {@code clouds.<cloud>.auth_type} ({@code password} by
 *       default, {@code v3password}, {@code v3applicationcredential}), {@code auth.*}, {@code
 *       region_name}, {@code cacert}, {@code verify} (and the older {@code insecure}), {@code
 *       rate_limit} ({@link CloudRateLimits});
 *   <li>the {@code OS_*} variables of an openrc file: every key above as {@code OS_<KEY>} in upper
 *       case ({@code OS_AUTH_TYPE}, {@code OS_APPLICATION_CREDENTIAL_ID}, {@code OS_CACERT}, {@code
 *       OS_INSECURE}, …).
 * </ul>
 *
 * <p>Password auth needs {@code auth_url, username, password} and {@code project_name} or {@code
 * project_id}. Application-credential auth needs {@code auth_url}, {@code
 * application_credential_secret} and either {@code application_credential_id}, or {@code
 * application_credential_name} with its owner ({@code user_id}, or {@code username} with {@code
 * user_domain_name} or {@code user_domain_id}); project keys are ignored, as keystoneauth does: the
 * credential is scoped to its own project. Errors name every missing or malformed key and the rule.
 */
public final class CloudCredentialsParser {
  /** Domain used for password auth when none is given, as in a default Keystone deployment. */
  public static final String DEFAULT_DOMAIN = "Default";

  /** The {@code auth_type} values understood. */
  public static final List<String> AUTH_TYPES =
      List.of("password", "v3password", "v3applicationcredential");

  private CloudCredentialsParser() {}

  /**
   * The credentials of {@code cloud} in the clouds.yaml text {@code yaml}.
   *
   * @param origin the file the text came from, for error messages
   * @throws InvalidCloudConfig naming the missing or malformed key
   */
  public static CloudCredentials fromCloudsYaml(String yaml, String cloud, String origin) {
    return fromCloudsYaml(yaml, origin, null, null, cloud);
  }

  /**
   * The credentials of {@code cloud} in a clouds.yaml deep-merged with a secure.yaml, as the
   * OpenStack client merges them: every mapping under {@code clouds} is merged key by key, and a
   * value of secure.yaml replaces the one of clouds.yaml.
   *
   * @param cloudsYaml the clouds.yaml text
   * @param cloudsOrigin its path, for messages
   * @param secureYaml the secure.yaml text, or null when there is none
   * @param secureOrigin its path, for messages (null with {@code secureYaml})
   * @param cloud the entry under {@code clouds} to use
   * @throws InvalidCloudConfig naming the missing or malformed key
   */
  public static CloudCredentials fromCloudsYaml(
      String cloudsYaml,
      String cloudsOrigin,
      String secureYaml,
      String secureOrigin,
      String cloud) {
    Object root = load(cloudsYaml, cloudsOrigin);
    Map<?, ?> clouds =
        asMap(root == null ? null : child(root, "clouds"), cloudsOrigin + ": clouds");
    String origin = cloudsOrigin;
    if (secureYaml != null) {
      Object secureRoot = load(secureYaml, secureOrigin);
      if (secureRoot != null) {
        clouds = deepMerge(clouds, asMap(child(secureRoot, "clouds"), secureOrigin + ": clouds"));
        origin = cloudsOrigin + " + " + secureOrigin;
      }
    }
    String at = origin + ": clouds." + cloud;
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
    Settings top = new Settings(c::get, key -> at + "." + key, key -> key, "setting(s)", "");
    Settings authKeys =
        new Settings(auth::get, key -> at + ".auth." + key, key -> key, "setting(s)", "");
    return parse(origin + " (cloud " + cloud + ")", top, authKeys)
        .withRateLimits(CloudRateLimits.parse(c.get("rate_limit"), at + ".rate_limit"));
  }

  /**
   * The credentials in the {@code OS_*} variables of {@code env}: {@code OS_AUTH_TYPE}, {@code
   * OS_AUTH_URL}, for passwords {@code OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME or OS_PROJECT_ID,
   * OS_USER_DOMAIN_NAME, OS_PROJECT_DOMAIN_NAME}, for application credentials {@code
   * OS_APPLICATION_CREDENTIAL_ID} or {@code _NAME} (with {@code OS_USER_ID}, or {@code OS_USERNAME}
   * and {@code OS_USER_DOMAIN_NAME}/{@code _ID}) and {@code OS_APPLICATION_CREDENTIAL_SECRET}, and
   * {@code OS_REGION_NAME, OS_CACERT, OS_INSECURE}.
   *
   * @throws InvalidCloudConfig naming every missing or malformed variable
   */
  public static CloudCredentials fromEnvironment(Map<String, String> env) {
    Function<String, String> var = key -> "OS_" + key.toUpperCase(Locale.ROOT);
    Settings s =
        new Settings(
            key -> env.get(var.apply(key)),
            var,
            var,
            "environment variable(s)",
            " (or set mesh.openstack.clouds-file to a clouds.yaml)");
    return parse("environment (OS_*)", s, s);
  }

  private static CloudCredentials parse(String source, Settings top, Settings auth) {
    String authType = text(top.get("auth_type"));
    String type = authType == null ? "password" : authType.toLowerCase(Locale.ROOT);
    KeystoneAuth credentials;
    List<String> missing = new ArrayList<>();
    String authUrl = required(auth, "auth_url", missing);
    switch (type) {
      case "password", "v3password" -> credentials = password(auth, missing);
      case "v3applicationcredential" -> credentials = applicationCredential(auth, missing);
      default ->
          throw new InvalidCloudConfig(
              top.name("auth_type")
                  + " is '"
                  + authType
                  + "', which infra-service does not support (supported: "
                  + String.join(", ", AUTH_TYPES)
                  + ")");
    }
    if (!missing.isEmpty()) {
      throw new InvalidCloudConfig(
          "missing OpenStack " + auth.kind + ": " + String.join(", ", missing) + auth.hint);
    }
    return new CloudCredentials(
        source, authUrl, credentials, text(top.get("region_name")), tls(top));
  }

  private static KeystoneAuth.Password password(Settings auth, List<String> missing) {
    String username = required(auth, "username", missing);
    String password = required(auth, "password", missing);
    String projectName = text(auth.get("project_name"));
    String projectId = text(auth.get("project_id"));
    if (projectName == null && projectId == null) {
      missing.add(auth.name("project_name") + " (or " + auth.shortName("project_id") + ")");
    }
    return new KeystoneAuth.Password(
        username,
        password,
        projectName,
        projectId,
        orDefault(text(auth.get("user_domain_name")), text(auth.get("domain_name"))),
        orDefault(text(auth.get("project_domain_name")), text(auth.get("domain_name"))));
  }

  private static KeystoneAuth.ApplicationCredential applicationCredential(
      Settings auth, List<String> missing) {
    String id = text(auth.get("application_credential_id"));
    String name = text(auth.get("application_credential_name"));
    String secret = text(auth.get("application_credential_secret"));
    if (secret == null) {
      missing.add(
          auth.name("application_credential_secret")
              + " (an application credential authenticates with its secret)");
    }
    String userId = null;
    String username = null;
    String domainName = null;
    String domainId = null;
    if (id == null && name == null) {
      missing.add(
          auth.name("application_credential_id")
              + " (or "
              + auth.shortName("application_credential_name")
              + " with its owner)");
    } else if (id == null) {
      userId = text(auth.get("user_id"));
      username = text(auth.get("username"));
      domainName = or(text(auth.get("user_domain_name")), text(auth.get("domain_name")));
      domainId = or(text(auth.get("user_domain_id")), text(auth.get("domain_id")));
      if (userId == null && username == null) {
        missing.add(
            auth.name("user_id")
                + " (or "
                + auth.shortName("username")
                + " with its domain): an application credential given by name needs its owner");
      } else if (userId == null && domainName == null && domainId == null) {
        missing.add(
            auth.name("user_domain_name")
                + " (or "
                + auth.shortName("user_domain_id")
                + "): the owner "
                + username
                + " of an application credential given by name needs its domain");
      }
    }
    return new KeystoneAuth.ApplicationCredential(
        id, id == null ? name : null, secret, userId, username, domainName, domainId);
  }

  private static CloudTls tls(Settings top) {
    Boolean verify = bool(top, "verify");
    Boolean insecure = bool(top, "insecure");
    if (Boolean.FALSE.equals(verify)) {
      return new CloudTls(null, null, false, top.name("verify") + "=false");
    }
    if (Boolean.TRUE.equals(insecure)) {
      return new CloudTls(null, null, false, top.name("insecure") + "=true");
    }
    String cacert = text(top.get("cacert"));
    return new CloudTls(cacert, cacert == null ? null : top.name("cacert"), true, null);
  }

  private static Boolean bool(Settings s, String key) {
    Object value = s.get(key);
    if (value == null || value instanceof Boolean) {
      return (Boolean) value;
    }
    String v = value.toString().trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "" -> null;
      case "true", "yes", "on", "1" -> Boolean.TRUE;
      case "false", "no", "off", "0" -> Boolean.FALSE;
      default ->
          throw new InvalidCloudConfig(
              s.name(key) + " must be true or false, found '" + value + "'");
    };
  }

  /** Keys of one level of settings: a clouds.yaml mapping, or the environment. */
  private record Settings(
      Function<String, Object> values,
      Function<String, String> names,
      Function<String, String> shortNames,
      String kind,
      String hint) {
    Object get(String key) {
      return values.apply(key);
    }

    String name(String key) {
      return names.apply(key);
    }

    String shortName(String key) {
      return shortNames.apply(key);
    }
  }

  private static Object load(String yaml, String origin) {
    try {
      return new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    } catch (YAMLException e) {
      throw new InvalidCloudConfig(origin + " is not valid YAML: " + e.getMessage());
    }
  }

  private static Map<Object, Object> deepMerge(Map<?, ?> base, Map<?, ?> over) {
    Map<Object, Object> out = new LinkedHashMap<>(base);
    for (Map.Entry<?, ?> e : over.entrySet()) {
      Object old = out.get(e.getKey());
      if (old instanceof Map<?, ?> a && e.getValue() instanceof Map<?, ?> b) {
        out.put(e.getKey(), deepMerge(a, b));
      } else {
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
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

  private static String required(Settings s, String key, List<String> missing) {
    String value = text(s.get(key));
    if (value == null) {
      missing.add(s.name(key));
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

  private static String or(String value, String fallback) {
    return value != null ? value : fallback;
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
