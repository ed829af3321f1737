package io.meshorch.meshctl.bench;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.local.LocalKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AwaitConsumersAssignedTest {
  @TempDir Path data;

  @Test
  void keepsWaitingWhileNoServiceHasJoinedItsGroupAndSaysSoAtTheDeadline() {
    try (LocalKafkaBroker broker = new LocalKafkaBroker(data).start()) {
      // No consumer ever joins: the broker answers GroupIdNotFoundException for each group,
      // which is "not assigned yet", not a failure of the startup figure.
      assertThatThrownBy(
              () -> Bench.awaitConsumersAssigned(broker.bootstrapServers(), Duration.ofSeconds(2)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("the services' consumers were not assigned within PT2S");
    }
  }
}
