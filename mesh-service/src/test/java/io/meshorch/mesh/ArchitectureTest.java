package io.meshorch.mesh;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "io.meshorch.mesh", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule domainIsPureJava =
      noClasses()
          .that()
          .resideInAPackage("..mesh.domain..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.springframework..",
              "org.apache.kafka..",
              "io.fabric8..",
              "org.openstack4j..",
              "net.schmizz..",
              "com.hierynomus..",
              "tools.jackson..",
              "io.meshorch.kit..",
              "io.meshorch.kube..");

  @ArchTest
  static final ArchRule onlyAdaptersUseFabric8 =
      noClasses()
          .that()
          .resideOutsideOfPackage("..mesh.adapter..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.fabric8..");

  @ArchTest
  static final ArchRule applicationDoesNotKnowSpringOrAdapters =
      noClasses()
          .that()
          .resideInAPackage("..mesh.application..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.springframework..",
              "..mesh.adapter..",
              "..mesh.config..",
              "..mesh.messaging..",
              "io.meshorch.kube..",
              "io.meshorch.kit.messaging..",
              "io.meshorch.kit.retry..");

  @ArchTest
  static final ArchRule onlyMessagingUsesSpringKafka =
      noClasses()
          .that()
          .resideOutsideOfPackage("..mesh.messaging..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework.kafka..");

  @ArchTest
  static final ArchRule portsAreInterfaces =
      classes().that().resideInAPackage("..mesh.port..").should().beInterfaces();
}
