package io.meshorch.compose;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The top-level {@code docker-compose.yml} is a valid Compose file, runs only images this build
 * makes (plus Kafka's), and sets only environment names its services read.
 */
class ComposeFileTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String SCHEMA_SOURCE =
      "https://raw.githubusercontent.com/compose-spec/compose-spec/"
          + "170098ba07d9f53c383a41bfd4c5166b0a4529a6/schema/compose-spec.json";

  /** Images from elsewhere that the compose file may run. */
  private static final Set<String> EXTERNAL_IMAGES = Set.of("apache/kafka");

  /**
   * Modules being written on other branches: the compose file names their image already. Once a
   * module is in the tree it is checked like the others (its pom must opt in to an image); remove
   * it from here then.
   */
  private static final Set<String> PENDING_MODULES = Set.of();

  @Test
  void validatesAgainstTheComposeSpecificationSchema() throws IOException {
    List<Error> errors = composeSchema().validate(JSON.valueToTree(compose()));

    assertThat(errors).isEmpty();
  }

  @Test
  void theSchemaRefusesAMisspeltKey() throws IOException {
    Map<String, Object> broken = compose();
    Map<String, Object> kafka = services(broken).get("kafka");
    kafka.put("depends_onn", kafka.remove("healthcheck"));

    assertThat(composeSchema().validate(JSON.valueToTree(broken)))
        .extracting(Error::getMessage)
        .anyMatch(m -> m.contains("depends_onn"));
  }

  @Test
  void everyImageItNamesIsOneTheImagesProfileBuilds() throws Exception {
    Map<String, String> built = imagesOfTheBuild();

    for (var service : services(compose()).entrySet()) {
      String image = (String) service.getValue().get("image");
      String repository = image.substring(0, image.lastIndexOf(':'));
      if (EXTERNAL_IMAGES.contains(repository)) {
        continue;
      }
      String module = repository.substring(repository.indexOf('/') + 1);
      if (PENDING_MODULES.contains(module) && !Files.exists(ROOT.resolve(module))) {
        assertThat(image).as(service.getKey()).isEqualTo(imageName(module));
        continue;
      }
      assertThat(built).as("images of the build (%s)", service.getKey()).containsValue(image);
    }
  }

  @Test
  void everyServiceWaitsForAHealthyKafkaAndHasAHealthCheck() throws IOException {
    for (var service : services(compose()).entrySet()) {
      if (!service.getValue().get("image").toString().startsWith(registry() + "/")
          || service.getKey().equals("volumes-init")) {
        continue;
      }
      assertThat(service.getValue()).as(service.getKey()).containsKey("healthcheck");
      assertThat(dependsOn(service.getValue()))
          .as(service.getKey())
          .containsEntry("kafka", "service_healthy");
    }
  }

  @Test
  void everyEnvironmentNameItSetsIsASettingTheServiceReads() throws Exception {
    Set<String> boot = springBootSettings();
    Map<String, List<String>> unknown = new TreeMap<>();
    for (var service : services(compose()).entrySet()) {
      String image = (String) service.getValue().get("image");
      if (!image.startsWith(registry() + "/")) {
        continue;
      }
      Map<String, String> env = environment(service.getValue());
      if (env.isEmpty()) {
        continue;
      }
      String module = image.substring(image.indexOf('/') + 1, image.lastIndexOf(':'));
      Set<String> reads = new TreeSet<>(boot);
      reads.addAll(settingsOf(module));
      for (String name : env.keySet()) {
        if (!reads.contains(name)) {
          unknown.computeIfAbsent(service.getKey(), k -> new ArrayList<>()).add(name);
        }
      }
    }
    assertThat(unknown).isEmpty();
  }

  @Test
  void passesNoSecretAsAnEnvironmentValue() throws IOException {
    Pattern secret = Pattern.compile("PASSWORD|SECRET|TOKEN|PRIVATE_KEY$|CREDENTIAL");
    for (var service : services(compose()).entrySet()) {
      for (var env : environment(service.getValue()).entrySet()) {
        if (secret.matcher(env.getKey()).find()) {
          // a path to a mounted file is fine; the secret itself is not
          assertThat(env.getValue()).as(service.getKey() + " " + env.getKey()).startsWith("/");
        }
      }
    }
  }

  // --- the compose file

  private static Map<String, Object> compose() throws IOException {
    try (InputStream in = Files.newInputStream(ROOT.resolve("docker-compose.yml"))) {
      return new Yaml().load(in);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> services(Map<String, Object> compose) {
    return (Map<String, Map<String, Object>>) compose.get("services");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> environment(Map<String, Object> service) {
    Object env = service.get("environment");
    Map<String, String> names = new LinkedHashMap<>();
    if (env instanceof Map<?, ?> map) {
      map.forEach((k, v) -> names.put(k.toString(), v == null ? "" : v.toString()));
    } else if (env instanceof List<?> list) {
      for (Object entry : list) {
        String[] kv = entry.toString().split("=", 2);
        names.put(kv[0], kv.length > 1 ? kv[1] : "");
      }
    }
    return names;
  }

  private static Map<String, String> dependsOn(Map<String, Object> service) {
    Map<String, String> conditions = new TreeMap<>();
    if (service.get("depends_on") instanceof Map<?, ?> map) {
      map.forEach(
          (k, v) ->
              conditions.put(
                  k.toString(),
                  v instanceof Map<?, ?> m ? String.valueOf(m.get("condition")) : "started"));
    }
    return conditions;
  }

  private static Schema composeSchema() throws IOException {
    try (InputStream in =
        ComposeFileTest.class.getResourceAsStream("/compose-spec/compose-spec.json")) {
      // The schema's $id is relative ("compose_spec.json"): anchor it where it comes from.
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
          .getSchema(SchemaLocation.of(SCHEMA_SOURCE), JSON.readTree(in));
    }
  }

  // --- what the build produces

  /** Module to image of every module that opts in to an image in the 'images' profile. */
  private static Map<String, String> imagesOfTheBuild() throws Exception {
    Map<String, String> images = new TreeMap<>();
    for (String module : modules()) {
      Element project = pom(ROOT.resolve(module).resolve("pom.xml"));
      if ("false".equals(property(project, "image.skip"))) {
        images.put(module, imageName(text(project, "artifactId")));
      }
    }
    assertThat(images).as("modules with an image").isNotEmpty();
    return images;
  }

  private static String imageName(String artifactId) throws Exception {
    Element root = pom(ROOT.resolve("pom.xml"));
    return registry() + "/" + artifactId + ":" + text(root, "version");
  }

  private static String registry() {
    try {
      return property(pom(ROOT.resolve("pom.xml")), "image.registry");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> modules() throws Exception {
    Element modules = child(pom(ROOT.resolve("pom.xml")), "modules");
    List<String> names = new ArrayList<>();
    for (Node n = modules.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals("module")) {
        names.add(e.getTextContent().trim());
      }
    }
    return names;
  }

  private static Element pom(Path file) throws Exception {
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    return doc.getDocumentElement();
  }

  private static String property(Element project, String name) {
    Element properties = child(project, "properties");
    return properties == null ? null : text(properties, name);
  }

  private static String text(Element parent, String name) {
    Element e = child(parent, name);
    return e == null ? null : e.getTextContent().trim();
  }

  private static Element child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e;
      }
    }
    return null;
  }

  // --- what the services read, as environment names (Spring's relaxed binding)

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");

  /**
   * The environment names {@code module} reads: the variables its configuration file names as
   * placeholders, and the environment form of every key of that file and of every
   * {@code @ConfigurationProperties} record of the module and of service-kit.
   */
  private static Set<String> settingsOf(String module) throws IOException {
    Set<String> names = new TreeSet<>();
    URL config = ComposeFileTest.class.getResource("/" + module + ".yml");
    if (config == null) {
      assertThat(PENDING_MODULES).as("configuration file of " + module).contains(module);
      return names;
    }
    String text;
    try (InputStream in = config.openStream()) {
      text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
    flatten("", new Yaml().load(text), names);
    String base = "io.meshorch." + module.replace("-service", "");
    for (String pkg : List.of(base, "io.meshorch.kit")) {
      for (Class<?> props : configurationProperties(pkg)) {
        ConfigurationProperties a = props.getAnnotation(ConfigurationProperties.class);
        String prefix = a.prefix().isEmpty() ? a.value() : a.prefix();
        keysOf(prefix, props, names);
      }
    }
    assertThat(names).as("settings of " + module).isNotEmpty();
    return names;
  }

  private static void flatten(String prefix, Object yaml, Set<String> names) {
    if (yaml instanceof Map<?, ?> map) {
      map.forEach((k, v) -> flatten(prefix.isEmpty() ? k.toString() : prefix + "." + k, v, names));
    } else {
      names.add(env(prefix));
    }
  }

  private static void keysOf(String prefix, Class<?> type, Set<String> names) {
    names.add(env(prefix));
    if (!type.isRecord()) {
      return;
    }
    for (RecordComponent c : type.getRecordComponents()) {
      String key = prefix + "." + kebab(c.getName());
      if (c.getType().isRecord() && c.getType().getName().startsWith("io.meshorch.")) {
        keysOf(key, c.getType(), names);
      } else {
        names.add(env(key));
      }
    }
  }

  private static List<Class<?>> configurationProperties(String pkg) {
    var scanner = new ClassPathScanningCandidateComponentProvider(false);
    scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
    List<Class<?>> found = new ArrayList<>();
    for (BeanDefinition candidate : scanner.findCandidateComponents(pkg)) {
      try {
        found.add(Class.forName(candidate.getBeanClassName()));
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
    }
    return found;
  }

  /** Spring Boot's own settings (server.port, spring.kafka.*, management.*, ...). */
  private static Set<String> springBootSettings() throws IOException {
    Set<String> names = new TreeSet<>();
    for (URL url :
        Collections.list(
            ComposeFileTest.class
                .getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json"))) {
      try (InputStream in = url.openStream()) {
        JsonNode properties = JSON.readTree(in).path("properties");
        for (JsonNode p : properties) {
          names.add(env(p.path("name").asString()));
        }
      }
    }
    assertThat(names).contains("SERVER_PORT", "SPRING_KAFKA_BOOTSTRAPSERVERS");
    return names;
  }

  /** The environment form of a property name, as Spring Boot binds it. */
  private static String env(String key) {
    return key.replace('.', '_').replace("-", "").toUpperCase(java.util.Locale.ROOT);
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
  }
}
