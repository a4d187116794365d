package dev.tandem.client;

/** The state of a {@link TandemClient}'s socket. */
public enum ConnectionState {
  /** Opening the socket or waiting for {@code welcome}. */
  CONNECTING,
  /** Welcomed: documents are open or being opened. */
  CONNECTED,
  /** The socket is gone; a reconnect is scheduled with backoff. */
  OFFLINE,
  /** Closed for good: by {@link TandemClient#close()} or a server refusal (close code 1008). */
  CLOSED
}
