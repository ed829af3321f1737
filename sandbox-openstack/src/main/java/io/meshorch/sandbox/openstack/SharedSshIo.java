package io.meshorch.sandbox.openstack;

import java.util.concurrent.ScheduledExecutorService;
import org.apache.sshd.common.Factory;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.io.AbstractIoServiceFactory;
import org.apache.sshd.common.io.IoAcceptor;
import org.apache.sshd.common.io.IoConnector;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoServiceFactory;
import org.apache.sshd.common.io.IoServiceFactoryFactory;
import org.apache.sshd.common.io.nio2.Nio2ServiceFactory;
import org.apache.sshd.common.util.threads.CloseableExecutorService;
import org.apache.sshd.common.util.threads.ThreadUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;

/**
 * One set of I/O threads for every VM's SSH daemon. By default each MINA {@code SshServer} owns an
 * asynchronous channel group with its own thread pool (processors + 1 threads) and a timer thread:
 * about five threads per VM once a client connected, which a thousand sandbox VMs in one JVM cannot
 * afford. Here all daemons accept on one channel group served by a small fixed pool and share one
 * timer; each daemon keeps its own host key, authenticator, sessions and commands.
 *
 * <p>The shared factory's settings (socket options, buffer sizes) are MINA's defaults, which every
 * sandbox VM uses anyway, but for one: connections send without Nagle's delay ({@code
 * TCP_NODELAY}), as OpenSSH's sshd sets on every connection (MINA leaves it off, and each small
 * packet of an exchange then waits up to 40 ms for the peer's delayed acknowledgement on Linux).
 */
final class SharedSshIo implements AutoCloseable {
  private static final int IO_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors() + 1);
  private static final int RESUME_THREADS = 2;

  /** All the threads of every VM's SSH daemon: the I/O pool, the resume pool and one timer. */
  static final int THREADS = IO_THREADS + RESUME_THREADS + 1;

  private final CloseableExecutorService io =
      ThreadUtils.newFixedThreadPool("sandbox-vm-io", IO_THREADS);
  private final CloseableExecutorService resume =
      ThreadUtils.newFixedThreadPool("sandbox-vm-resume", RESUME_THREADS);
  private final ScheduledExecutorService timer =
      ThreadUtils.newSingleThreadScheduledExecutor("sandbox-vm-timer");
  private final Nio2ServiceFactory shared =
      new Nio2ServiceFactory(
          socketSettings(), ThreadUtils.noClose(io), ThreadUtils.noClose(resume));

  /** The settings every daemon's accepted sockets get: the shared factory's, not each daemon's. */
  private static SshServer socketSettings() {
    SshServer settings = SshServer.setUpDefaultServer();
    CoreModuleProperties.TCP_NODELAY.set(settings, true);
    return settings;
  }

  /** Makes {@code sshd} use the shared threads; call before {@code start()}. */
  void configure(SshServer sshd) {
    sshd.setIoServiceFactoryFactory(new PerServerFactories());
    sshd.setScheduledExecutorService(timer, false);
  }

  @Override
  public void close() {
    shared.close(true);
    io.shutdownNow();
    resume.shutdownNow();
    timer.shutdownNow();
  }

  /** Hands every daemon a factory on the shared channel group. */
  private final class PerServerFactories implements IoServiceFactoryFactory {
    @Override
    public IoServiceFactory create(FactoryManager manager) {
      return new PerServer(manager);
    }

    @Override
    public void setExecutorServiceFactory(Factory<CloseableExecutorService> factory) {
      // The executors are shared and owned by SharedSshIo.
    }
  }

  /** A daemon's I/O factory: acceptors on the shared group; closing it leaves the group alone. */
  private final class PerServer extends AbstractIoServiceFactory {
    PerServer(FactoryManager manager) {
      super(manager, ThreadUtils.noClose(io));
    }

    @Override
    public IoConnector createConnector(IoHandler handler) {
      return shared.createConnector(handler);
    }

    @Override
    public IoAcceptor createAcceptor(IoHandler handler) {
      return shared.createAcceptor(handler);
    }
  }
}
