package io.meshorch.infra;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.concurrent.TimeUnit;

@AnalyzeClasses(
    packages = "io.meshorch.infra",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  private static final String[] SDKS = {
    "org.openstack4j..", "io.fabric8..", "net.schmizz..", "com.hierynomus..", "okhttp3.."
  };

  @ArchTest
  static final ArchRule domainIsPureJava =
      noClasses()
          .that()
          .resideInAPackage("..infra.domain..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.springframework..",
              "org.apache.kafka..",
              "org.openstack4j..",
              "io.fabric8..",
              "net.schmizz..",
              "com.hierynomus..",
              "io.meshorch.kit..");

  @ArchTest
  static final ArchRule applicationKnowsNoFrameworkOrSdk =
      noClasses()
          .that()
          .resideInAPackage("..infra.application..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework..", "org.apache.kafka..", "org.openstack4j..");

  @ArchTest
  static final ArchRule onlyAdaptersUseTheSdks =
      noClasses()
          .that()
          .resideOutsideOfPackage("..infra.adapter..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(SDKS);

  @ArchTest
  static final ArchRule onlyMessagingUsesSpringKafka =
      noClasses()
          .that()
          .resideOutsideOfPackage("..infra.messaging..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.springframework.kafka..");

  /** Steps wait through the kit's re-checks: no sleeping, no blocking retry loop. */
  @ArchTest
  static final ArchRule nothingSleepsOrRetriesInPlace =
      noClasses()
          .should()
          .callMethod(Thread.class, "sleep", long.class)
          .orShould()
          .callMethod(TimeUnit.class, "sleep", long.class)
          .orShould()
          .dependOnClassesThat()
          .resideInAPackage("io.meshorch.kit.retry..");

  @ArchTest
  static final ArchRule portsAreInterfaces =
      classes().that().resideInAPackage("..infra.port..").should().beInterfaces();

  @ArchTest
  static final ArchRule adaptersDoNotReachIntoApplication =
      noClasses()
          .that()
          .resideInAPackage("..infra.adapter..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("..infra.application..", "..infra.messaging..");
}
