package io.meshorch.testkit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * The package rules every service follows (style.md §2), as ArchUnit rules for a service's base
 * package (e.g. {@code io.meshorch.rke}), plus the service's own extras. A service's {@code
 * ArchitectureTest} is one {@code @TestFactory}:
 *
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicTest> followsTheServiceLayout() {
 *   return ServiceArchitecture.of("io.meshorch.rke")
 *       .and("onlyTheSshAdapterUsesSshj",
 *           ServiceArchitecture.onlyPackageUses("io.meshorch.rke.adapter.ssh..", SSHJ))
 *       .tests();
 * }
 * }</pre>
 *
 * <p>Each rule is one dynamic test named by the rule, checked against the service's production
 * classes. A rule whose packages hold no class fails (ArchUnit's default), so a wrong base package
 * cannot pass unnoticed.
 */
public final class ServiceArchitecture {
  /** Packages of sshj (SSH client). */
  public static final String[] SSHJ = {"net.schmizz..", "com.hierynomus.."};

  /** Client libraries of the outside world: only adapters talk to them. */
  public static final String[] SDKS = {
    "org.openstack4j..",
    "okhttp3..",
    "io.fabric8..",
    "net.schmizz..",
    "com.hierynomus..",
    "org.bouncycastle.."
  };

  /** The shared fabric8 support (clients from kubeconfig references, API error mapping). */
  public static final String KUBE_SUPPORT = "io.meshorch.kube..";

  private final String basePackage;
  private final Map<String, ArchRule> rules;

  private ServiceArchitecture(String basePackage, Map<String, ArchRule> rules) {
    this.basePackage = basePackage;
    this.rules = Collections.unmodifiableMap(rules);
  }

  /** The shared rules of the service whose classes live under {@code basePackage}. */
  public static ServiceArchitecture of(String basePackage) {
    return new ServiceArchitecture(basePackage, rulesFor(basePackage));
  }

  /** These rules and one more of the service's own, named {@code name} in the test report. */
  public ServiceArchitecture and(String name, ArchRule rule) {
    Map<String, ArchRule> more = new LinkedHashMap<>(rules);
    if (more.putIfAbsent(name, rule) != null) {
      throw new IllegalArgumentException("a rule named " + name + " exists already");
    }
    return new ServiceArchitecture(basePackage, more);
  }

  /** Every rule by name, shared ones first. */
  public Map<String, ArchRule> rules() {
    return rules;
  }

  /** One test per rule against the service's production classes (test classes left out). */
  public Stream<DynamicTest> tests() {
    return tests(
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(basePackage));
  }

  /** One test per rule against {@code classes}; a failure starts with the rule's name. */
  public Stream<DynamicTest> tests(JavaClasses classes) {
    return rules.entrySet().stream()
        .map(rule -> DynamicTest.dynamicTest(rule.getKey(), () -> check(rule, classes)));
  }

  private static void check(Map.Entry<String, ArchRule> rule, JavaClasses classes) {
    try {
      rule.getValue().check(classes);
    } catch (AssertionError e) {
      throw new AssertionError(rule.getKey() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The rules of style.md §2 for the service under {@code basePackage}, by name:
   *
   * <ul>
   *   <li>{@code domain} is plain Java: no Spring, Kafka, SDK, JSON library, kit or kube-support,
   *       and none of the service's other packages;
   *   <li>{@code application} knows no framework or SDK, and neither adapters nor messaging;
   *   <li>only {@code adapter..} uses the SDKs ({@link #SDKS}); only adapters and config use
   *       kube-support; only {@code messaging..} uses spring-kafka;
   *   <li>{@code config} is the composition root: nothing else depends on it;
   *   <li>adapters do not reach into application or messaging; ports are interfaces;
   *   <li>production code never waits on a thread ({@code Thread.sleep}, {@code TimeUnit.sleep},
   *       {@code Process.waitFor}) nor retries in place ({@code io.meshorch.kit.retry}): steps wait
   *       through the kit's re-checks and nudges.
   * </ul>
   */
  public static Map<String, ArchRule> rulesFor(String basePackage) {
    String domain = basePackage + ".domain..";
    String application = basePackage + ".application..";
    String port = basePackage + ".port..";
    String adapter = basePackage + ".adapter..";
    String messaging = basePackage + ".messaging..";
    String config = basePackage + ".config..";

    Map<String, ArchRule> rules = new LinkedHashMap<>();
    rules.put(
        "domainIsPlainJava",
        noClasses()
            .that()
            .resideInAPackage(domain)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                concat(
                    SDKS,
                    "org.springframework..",
                    "org.apache.kafka..",
                    "tools.jackson..",
                    "com.fasterxml.jackson..",
                    "io.meshorch.kit..",
                    KUBE_SUPPORT,
                    application,
                    port,
                    adapter,
                    messaging,
                    config))
            .because("the domain holds the decisions, in plain Java"));
    rules.put(
        "applicationKnowsNoFrameworkOrSdk",
        noClasses()
            .that()
            .resideInAPackage(application)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                concat(
                    SDKS,
                    "org.springframework..",
                    "org.apache.kafka..",
                    KUBE_SUPPORT,
                    "io.meshorch.kit.messaging..",
                    "io.meshorch.kit.config.."))
            .because("the application speaks to the world through ports"));
    rules.put(
        "applicationDependsOnNoAdapterOrMessaging",
        noClasses()
            .that()
            .resideInAPackage(application)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(adapter, messaging));
    rules.put("onlyAdaptersUseTheSdks", onlyPackageUses(adapter, SDKS));
    rules.put(
        "onlyAdaptersAndConfigUseKubeSupport",
        noClasses()
            .that()
            .resideOutsideOfPackages(adapter, config)
            .should()
            .dependOnClassesThat()
            .resideInAPackage(KUBE_SUPPORT));
    rules.put(
        "onlyMessagingUsesSpringKafka", onlyPackageUses(messaging, "org.springframework.kafka.."));
    rules.put(
        "configIsTheCompositionRoot",
        noClasses()
            .that()
            .resideOutsideOfPackage(config)
            .should()
            .dependOnClassesThat()
            .resideInAPackage(config)
            .because("only the composition root knows the settings and the wiring"));
    rules.put(
        "adaptersDoNotReachIntoApplicationOrMessaging",
        noClasses()
            .that()
            .resideInAPackage(adapter)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(application, messaging));
    rules.put(
        "portsAreInterfaces", classes().that().resideInAPackage(port).should().beInterfaces());
    rules.put(
        "nothingWaitsOnAThread",
        noClasses()
            .should()
            .callMethodWhere(callTo(Thread.class, "sleep"))
            .orShould()
            .callMethodWhere(callTo(TimeUnit.class, "sleep"))
            .orShould()
            .callMethodWhere(callTo(Process.class, "waitFor"))
            .because("steps wait through the kit's re-checks and nudges, which cost no thread"));
    rules.put(
        "nothingRetriesInPlace",
        noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.meshorch.kit.retry..")
            .because(
                "a step waits through the kit (Next.waitFor), never in a blocking retry loop"));
    return rules;
  }

  /** No class outside {@code packageIdentifier} depends on a class in {@code libraries}. */
  public static ArchRule onlyPackageUses(String packageIdentifier, String... libraries) {
    return noClasses()
        .that()
        .resideOutsideOfPackage(packageIdentifier)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(libraries);
  }

  /** Calls of any overload of {@code owner.method}, also through a subclass. */
  private static DescribedPredicate<JavaCall<?>> callTo(Class<?> owner, String method) {
    return DescribedPredicate.describe(
        owner.getSimpleName() + "." + method + "(..)",
        call -> call.getName().equals(method) && call.getTargetOwner().isAssignableTo(owner));
  }

  private static String[] concat(String[] first, String... more) {
    return Stream.concat(Stream.of(first), Stream.of(more)).toArray(String[]::new);
  }
}
