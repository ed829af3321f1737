package io.meshorch.cni;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "io.meshorch.cni", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule domainIsPureJava =
      noClasses()
          .that()
          .resideInAPackage("..cni.domain..")
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
              "io.meshorch.kube..",
              "org.bouncycastle..");

  @ArchTest
  static final ArchRule onlyAdaptersUseFabric8 =
      noClasses()
          .that()
          .resideOutsideOfPackage("..cni.adapter..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.fabric8..");

  @ArchTest
  static final ArchRule applicationDoesNotKnowSpringOrAdapters =
      noClasses()
          .that()
          .resideInAPackage("..cni.application..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.springframework..",
              "..cni.adapter..",
              "..cni.config..",
              "..cni.messaging..",
              "io.meshorch.kube..",
              "io.meshorch.kit.messaging..");

  @ArchTest
  static final ArchRule onlyAdaptersUseBouncyCastle =
      noClasses()
          .that()
          .resideOutsideOfPackage("..cni.adapter..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.bouncycastle..");

  @ArchTest
  static final ArchRule onlyMessagingUsesSpringKafka =
      noClasses()
          .that()
          .resideOutsideOfPackage("..cni.messaging..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework.kafka..");

  @ArchTest
  static final ArchRule portsAreInterfaces =
      classes().that().resideInAPackage("..cni.port..").should().beInterfaces();
}
