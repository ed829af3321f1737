package io.meshorch.lb;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "io.meshorch.lb", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule domainIsPureJava =
      noClasses()
          .that()
          .resideInAPackage("..lb.domain..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.springframework..",
              "org.apache.kafka..",
              "io.fabric8..",
              "org.openstack4j..",
              "net.schmizz..",
              "com.hierynomus..",
              "io.meshorch.kit..",
              "io.meshorch.kube..");

  @ArchTest
  static final ArchRule onlyAdaptersUseFabric8 =
      noClasses()
          .that()
          .resideOutsideOfPackage("..lb.adapter..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.fabric8..");

  @ArchTest
  static final ArchRule applicationDoesNotKnowSpringOrAdapters =
      noClasses()
          .that()
          .resideInAPackage("..lb.application..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework..", "..lb.adapter..", "..lb.config..");

  @ArchTest
  static final ArchRule onlyMessagingUsesSpringKafka =
      noClasses()
          .that()
          .resideOutsideOfPackage("..lb.messaging..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework.kafka..");

  @ArchTest
  static final ArchRule stepsNeverBlockOnTheKitsRetrier =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.meshorch.kit.retry..")
          .because("a step waits through the kit (Next.waitFor), never in a blocking loop");

  @ArchTest
  static final ArchRule nothingSleeps =
      noClasses()
          .should()
          .callMethod(Thread.class, "sleep", long.class)
          .because("waits are the kit's re-checks and watches, which cost no thread");

  @ArchTest
  static final ArchRule applicationDoesNotKnowMessaging =
      noClasses()
          .that()
          .resideInAPackage("..lb.application..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("..lb.messaging..");

  @ArchTest
  static final ArchRule portsAreInterfaces =
      classes().that().resideInAPackage("..lb.port..").should().beInterfaces();
}
