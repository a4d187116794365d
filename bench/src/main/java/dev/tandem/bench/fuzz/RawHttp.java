package dev.tandem.bench.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * Sends one {@link HostileRequests.Request} as raw HTTP/1.1 bytes on a connection of its own
 * ({@code Connection: close}) and reads the answer to its end: no client library stands between the
 * fuzzer and the server's parser.
 */
final class RawHttp {
  /** The server's answer: {@code status} 0 if the connection closed without one. */
  record Answer(int status, String body, boolean timedOut) {}

  private static final int MAX_BODY = 64 * 1024;

  private final String host;
  private final int port;
  private final int timeoutMillis;

  RawHttp(URI http, Duration timeout) {
    this.host = http.getHost();
    this.port = http.getPort();
    this.timeoutMillis = (int) timeout.toMillis();
  }

  Answer send(HostileRequests.Request request) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      socket.setTcpNoDelay(true);
      OutputStream out = socket.getOutputStream();
      byte[] body = request.body();
      int declared = request.cutShort() ? body.length + 1 + body.length / 2 : body.length;
      StringBuilder head =
          new StringBuilder(request.method())
              .append(' ')
              .append(request.target())
              .append(" HTTP/1.1\r\nHost: ")
              .append(host)
              .append(':')
              .append(port)
              .append("\r\nConnection: close\r\n");
      if (request.contentType() != null) {
        head.append("Content-Type: ").append(request.contentType()).append("\r\n");
      }
      if (body.length > 0 || request.method().equals("POST") || request.method().equals("PUT")) {
        head.append("Content-Length: ").append(declared).append("\r\n");
      }
      head.append("\r\n");
      // Latin-1: a target holding raw bytes goes out as those bytes. One write: two small ones
      // would wait for a delayed ACK.
      byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
      byte[] bytes = Arrays.copyOf(headBytes, headBytes.length + body.length);
      System.arraycopy(body, 0, bytes, headBytes.length, body.length);
      try {
        out.write(bytes);
        out.flush();
      } catch (IOException refused) {
        // the server may answer (413, say) and close before it read the whole request
      }
      if (request.cutShort()) {
        return new Answer(0, "", false); // the client went away mid-body: nothing to wait for
      }
      return read(socket.getInputStream());
    } catch (SocketTimeoutException e) {
      return new Answer(0, "", true);
    }
  }

  private static Answer read(InputStream in) throws IOException {
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int read;
    try {
      while ((read = in.read(buffer)) >= 0) {
        if (answer.size() < MAX_BODY) {
          answer.write(buffer, 0, read);
        }
      }
    } catch (IOException reset) {
      // a reset after the answer (or instead of it) ends the reading as well
    }
    String text = answer.toString(StandardCharsets.UTF_8);
    if (!text.startsWith("HTTP/1.")) {
      return new Answer(0, text, false);
    }
    int space = text.indexOf(' ');
    int status = Integer.parseInt(text.substring(space + 1, space + 4));
    int bodyStart = text.indexOf("\r\n\r\n");
    return new Answer(status, bodyStart < 0 ? "" : text.substring(bodyStart + 4), false);
  }
}
