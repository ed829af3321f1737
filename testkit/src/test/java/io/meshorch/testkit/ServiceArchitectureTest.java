package io.meshorch.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The shared rules pass on a service that keeps the layout and each one catches the class that
 * breaks it (fixtures under {@code io.meshorch.testkit.fixtures}), so no rule passes vacuously.
 */
class ServiceArchitectureTest {
  private static final String CLEAN = "io.meshorch.testkit.fixtures.clean";
  private static final String BROKEN = "io.meshorch.testkit.fixtures.broken";

  /** Every shared rule, and the classes of the broken fixture service that break it. */
  private static final Map<String, List<String>> VIOLATORS =
      Map.ofEntries(
          Map.entry("domainIsPlainJava", List.of("domain.Order")),
          Map.entry("applicationKnowsNoFrameworkOrSdk", List.of("application.PublishesDirectly")),
          Map.entry("applicationDependsOnNoAdapterOrMessaging", List.of("application.PlaceOrder")),
          Map.entry("onlyAdaptersUseTheSdks", List.of("messaging.OrderListener")),
          Map.entry("onlyAdaptersAndConfigUseKubeSupport", List.of("messaging.StatusListener")),
          Map.entry("onlyMessagingUsesSpringKafka", List.of("application.PublishesDirectly")),
          Map.entry("configIsTheCompositionRoot", List.of("application.ReadsSettings")),
          Map.entry("adaptersDoNotReachIntoApplicationOrMessaging", List.of("adapter.Callback")),
          Map.entry("portsAreInterfaces", List.of("port.OrderStore")),
          Map.entry(
              "nothingWaitsOnAThread",
              List.of("adapter.Sleeper", "adapter.TimeUnitSleeper", "adapter.ProcessWaiter")),
          Map.entry("nothingRetriesInPlace", List.of("adapter.RetriesInPlace")));

  private static final JavaClasses CLEAN_CLASSES = new ClassFileImporter().importPackages(CLEAN);
  private static final JavaClasses BROKEN_CLASSES = new ClassFileImporter().importPackages(BROKEN);

  @TestFactory
  Stream<DynamicTest> aServiceThatKeepsTheLayoutPassesEveryRule() {
    return ServiceArchitecture.of(CLEAN).tests(CLEAN_CLASSES);
  }

  @TestFactory
  Stream<DynamicTest> everyRuleReportsExactlyTheClassesThatBreakIt() {
    return ServiceArchitecture.rulesFor(BROKEN).entrySet().stream()
        .map(
            rule ->
                DynamicTest.dynamicTest(
                    rule.getKey(),
                    () -> {
                      List<String> expected =
                          VIOLATORS.get(rule.getKey()).stream()
                              .map(name -> "<" + BROKEN + "." + name)
                              .toList();
                      EvaluationResult result = rule.getValue().evaluate(BROKEN_CLASSES);
                      List<String> details = result.getFailureReport().getDetails();

                      assertThat(result.hasViolation()).as(rule.getKey()).isTrue();
                      for (String violator : expected) {
                        assertThat(details).anyMatch(detail -> detail.contains(violator));
                      }
                      assertThat(details)
                          .allMatch(detail -> expected.stream().anyMatch(detail::contains));
                    }));
  }

  @Test
  void aFailingTestNamesItsRule() {
    DynamicTest portsRule =
        ServiceArchitecture.of(BROKEN)
            .tests(BROKEN_CLASSES)
            .filter(test -> test.getDisplayName().equals("portsAreInterfaces"))
            .findFirst()
            .orElseThrow();

    assertThat(catchThrowable(() -> portsRule.getExecutable().execute()))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("portsAreInterfaces: Architecture Violation")
        .hasMessageContaining(BROKEN + ".port.OrderStore");
  }

  @Test
  void everySharedRuleHasABrokenFixture() {
    assertThat(ServiceArchitecture.rulesFor(BROKEN)).containsOnlyKeys(VIOLATORS.keySet());
  }

  @Test
  void aServiceRuleIsAddedAfterTheSharedOnesAndCannotReplaceOne() {
    ArchRule extra = ServiceArchitecture.onlyPackageUses(CLEAN + ".adapter..", "net.schmizz..");
    ServiceArchitecture rules = ServiceArchitecture.of(CLEAN).and("sshjOnlyInAdapters", extra);

    assertThat(rules.rules().keySet())
        .endsWith("sshjOnlyInAdapters")
        .hasSize(ServiceArchitecture.rulesFor(CLEAN).size() + 1);
    assertThat(catchThrowable(() -> rules.and("portsAreInterfaces", extra)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aServiceRuleCatchesItsViolator() {
    ArchRule sshOnlyInAdapters =
        ServiceArchitecture.onlyPackageUses(BROKEN + ".adapter..", ServiceArchitecture.SSHJ);

    assertThat(sshOnlyInAdapters.evaluate(BROKEN_CLASSES).getFailureReport().getDetails())
        .isNotEmpty()
        .allMatch(detail -> detail.contains("<" + BROKEN + ".messaging.OrderListener"));
  }

  @Test
  void aRuleOverAnEmptyPackageFailsSoAWrongBasePackageCannotPass() {
    ArchRule domainRule =
        ServiceArchitecture.rulesFor("io.meshorch.nosuchservice").get("domainIsPlainJava");

    assertThat(catchThrowable(() -> domainRule.check(CLEAN_CLASSES)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("failed to check any classes");
  }
}
