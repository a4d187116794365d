package dev.tandem.sequencer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP relay, so a test can take a peer away (every connection cut, new ones refused) and bring it
 * back: PostgreSQL, without stopping the one other tests share; or a Tandem server, so clients keep
 * one address across a restart and never reach whatever else may listen on a freed port meanwhile;
 * or it stops carrying what the peer sends, so the peer sees clients that stop reading.
 */
final class TcpProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final String targetHost;
  private volatile int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean up = true;
  private volatile boolean frozen;
  private volatile boolean closed;
  private final int receiveBuffer; // of the sockets to the target; 0 for the system's
  private volatile CountDownLatch downstream = new CountDownLatch(0); // open when at zero

  TcpProxy(String targetHost, int targetPort) throws IOException {
    this(targetHost, targetPort, 0);
  }

  private TcpProxy(String targetHost, int targetPort, int receiveBuffer) throws IOException {
    this.receiveBuffer = receiveBuffer;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "tcp-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * A proxy whose sockets to the target have small receive buffers, so that once {@link
   * #pauseDownstream} stops reading, the target soon sees a client that does not read.
   */
  static TcpProxy withSmallBuffers(String targetHost, int targetPort) throws IOException {
    return new TcpProxy(targetHost, targetPort, 8192);
  }

  /** Stops carrying what the target sends (its clients seem to stop reading); sending goes on. */
  void pauseDownstream() {
    downstream = new CountDownLatch(1);
  }

  /** Carries what the target sends again. */
  void resumeDownstream() {
    downstream.countDown();
  }

  int port() {
    return listener.getLocalPort();
  }

  /** The peer is away: open connections are cut, new ones are closed at once. */
  void cut() {
    up = false;
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
    sockets.clear();
  }

  /**
   * The network vanished: open connections stay open but carry nothing more either way (what was
   * sent stays unread, nothing answers), as when a client's network drops without a FIN.
   */
  void freeze() {
    frozen = true;
  }

  /** New connections are closed at once; open ones carry on. */
  void refuseNew() {
    up = false;
  }

  /** The peer is back. */
  void restore() {
    up = true;
  }

  /** New connections go to {@code port} from now on. */
  void retarget(int port) {
    targetPort = port;
  }

  @Override
  public void close() {
    closed = true;
    cut();
    closeQuietly(listener);
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        if (!up) {
          closeQuietly(client);
          continue;
        }
        Socket server = new Socket();
        try {
          if (receiveBuffer > 0) {
            server.setReceiveBufferSize(receiveBuffer); // before connect: the window stays small
          }
          server.connect(new InetSocketAddress(targetHost, targetPort));
        } catch (IOException unreachable) {
          closeQuietly(client); // as if the peer refused it
          continue;
        }
        sockets.add(client);
        sockets.add(server);
        pump(client, server, false);
        pump(server, client, true);
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void pump(Socket from, Socket to, boolean isDownstream) {
    Thread thread =
        new Thread(
            () -> {
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                byte[] buffer = new byte[8192];
                while (true) {
                  if (isDownstream) {
                    downstream.await();
                  }
                  int read;
                  if (!awaitThaw(from) || (read = in.read(buffer)) < 0 || !awaitThaw(from)) {
                    break;
                  }
                  if (isDownstream) {
                    downstream.await(); // what was read while paused waits for the resume
                  }
                  out.write(buffer, 0, read);
                  out.flush();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (IOException e) {
                // the other side went away, or cut() closed it
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "tcp-proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  /** Waits while frozen (for good, until the connection is cut); false once it is. */
  private boolean awaitThaw(Socket from) {
    while (frozen && !from.isClosed()) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return !from.isClosed();
  }

  private static void closeQuietly(java.io.Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException e) {
      // already closed
    }
  }
}
