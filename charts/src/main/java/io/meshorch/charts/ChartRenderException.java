package io.meshorch.charts;

/** Helm refused to render a chart with the given values (the message is Helm's own error). */
public final class ChartRenderException extends RuntimeException {
  ChartRenderException(String message, Throwable cause) {
    super(message, cause);
  }
}
