package io.meshorch.meshctl;

import io.meshorch.meshctl.local.LocalStack;
import java.nio.file.Path;

/** The scenarios on local mode's embedded KRaft broker, exactly as {@code ./meshctl up} runs. */
class EmbeddedKafkaMeshE2E extends MeshScenarios {
  @Override
  LocalStack startStack(Path dataDir) {
    return LocalStack.start(dataDir, true);
  }
}
