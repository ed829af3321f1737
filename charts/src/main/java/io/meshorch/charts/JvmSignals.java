package io.meshorch.charts;

import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the JVM's own handlers of SIGTERM, SIGINT and SIGHUP in place around Helm's native code.
 *
 * <p>helm-java runs Helm as a Go shared library. During {@code helm template} the Go runtime
 * registers itself for the termination signals ({@code os/signal.Notify}), after which a SIGTERM
 * never reaches the JVM: no shutdown hooks, no graceful stop, and a service that a supervisor
 * (Kubernetes, systemd) cannot stop short of SIGKILL. The JVM's handlers are captured before the
 * first Helm call and registered again after every call ({@code sun.misc.Signal}, through
 * reflection because it is an unsupported API).
 */
final class JvmSignals {
  private static final Logger log = LoggerFactory.getLogger(JvmSignals.class);
  private static final List<String> NAMES = List.of("TERM", "INT", "HUP");
  private static final Map<Object, Object> JVM_HANDLERS = capture();

  private JvmSignals() {}

  /** Makes sure this class captured the JVM's handlers (call before the first Helm call). */
  static void init() {
    log.debug("JVM signal handlers kept: {}", JVM_HANDLERS.size());
  }

  /** Registers the JVM's handlers again, taking the signals back from Helm's runtime. */
  static void restore() {
    try {
      Method handle = handleMethod();
      for (Map.Entry<Object, Object> e : JVM_HANDLERS.entrySet()) {
        handle.invoke(null, e.getKey(), e.getValue());
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("cannot give the termination signals back to the JVM: {}", e.toString());
    }
  }

  private static Map<Object, Object> capture() {
    Map<Object, Object> handlers = new LinkedHashMap<>();
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Method handle = handleMethod();
      for (String name : NAMES) {
        Object sig = signal.getConstructor(String.class).newInstance(name);
        Object current = handle.invoke(null, sig, defaultHandler());
        handle.invoke(null, sig, current);
        handlers.put(sig, current);
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      // e.g. a signal the JVM reserves (-Xrs): leave it alone.
      log.debug("JVM signal handlers not captured: {}", e.toString());
    }
    return handlers;
  }

  private static Object defaultHandler() throws ReflectiveOperationException {
    return Class.forName("sun.misc.SignalHandler").getField("SIG_DFL").get(null);
  }

  private static Method handleMethod() throws ReflectiveOperationException {
    return Class.forName("sun.misc.Signal")
        .getMethod(
            "handle", Class.forName("sun.misc.Signal"), Class.forName("sun.misc.SignalHandler"));
  }
}
