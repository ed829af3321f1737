package io.meshorch.rke;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "io.meshorch.rke", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  @ArchTest
  static final ArchRule domainIsPlainJava =
      noClasses()
          .that()
          .resideInAPackage("..rke.domain..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.springframework..",
              "org.apache.kafka..",
              "net.schmizz..",
              "com.hierynomus..",
              "io.fabric8..",
              "org.openstack4j..",
              "io.meshorch.kit..");

  @ArchTest
  static final ArchRule onlyTheSshAdapterUsesSshj =
      noClasses()
          .that()
          .resideOutsideOfPackage("..rke.adapter.ssh..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("net.schmizz..", "com.hierynomus..");

  @ArchTest
  static final ArchRule onlyMessagingUsesSpringKafka =
      noClasses()
          .that()
          .resideOutsideOfPackage("..rke.messaging..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.springframework.kafka..");

  @ArchTest
  static final ArchRule portsAreInterfaces =
      classes().that().resideInAPackage("..rke.port..").should().beInterfaces();

  @ArchTest
  static final ArchRule applicationKnowsNoFrameworkOrSdk =
      noClasses()
          .that()
          .resideInAPackage("..rke.application..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.springframework..", "org.apache.kafka..", "net.schmizz..", "io.fabric8..");

  @ArchTest
  static final ArchRule nothingWaitsOnAThread =
      noClasses()
          .should()
          .callMethod(Thread.class, "sleep", long.class)
          .orShould()
          .callMethod(Thread.class, "sleep", java.time.Duration.class)
          .orShould()
          .callMethod(Process.class, "waitFor")
          .orShould()
          .callMethod(Process.class, "waitFor", long.class, java.util.concurrent.TimeUnit.class)
          .because("steps wait through the kit's re-checks and nudges, never on a thread");

  @ArchTest
  static final ArchRule adaptersDoNotReachIntoApplicationOrMessaging =
      noClasses()
          .that()
          .resideInAPackage("..rke.adapter..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("..rke.application..", "..rke.messaging..");
}
