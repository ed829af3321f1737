package io.meshorch.kit.config;

import io.meshorch.kit.step.StepEngine;
import java.time.Duration;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;

/**
 * Stops the {@link StepEngine} when the application stops, after the listener containers (a lower
 * phase stops later): first nothing new comes in, then the steps in flight stop without reporting a
 * failure, to be resumed on the next start.
 */
final class StepEngineLifecycle implements SmartLifecycle {
  private final StepEngine engine;
  private final Duration grace;
  private volatile boolean running;

  StepEngineLifecycle(StepEngine engine, Duration grace) {
    this.engine = engine;
    this.grace = grace;
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    engine.stop(grace);
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return AbstractMessageListenerContainer.DEFAULT_PHASE - 100;
  }
}
