package dev.tandem.sequencer.ws;

import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCode;

/** The WebSocket close codes this server uses, with what each tells the client to do. */
final class CloseCodes {
  /** 1001: the server is going away; reconnect. */
  static final CloseCode GOING_AWAY = CloseReason.CloseCodes.GOING_AWAY;

  /** 1008: policy violation; do not reconnect with the same credentials and behaviour. */
  static final CloseCode POLICY_VIOLATION = CloseReason.CloseCodes.VIOLATED_POLICY;

  /** 1009: a message exceeded the size limit. */
  static final CloseCode TOO_BIG = CloseReason.CloseCodes.TOO_BIG;

  /** 1011: internal error; reconnect. */
  static final CloseCode INTERNAL_ERROR = CloseReason.CloseCodes.UNEXPECTED_CONDITION;

  /** 1013: overload or slow consumer; reconnect with backoff and catch up with open {rev}. */
  static final CloseCode TRY_AGAIN_LATER = CloseReason.CloseCodes.TRY_AGAIN_LATER;

  private CloseCodes() {}
}
