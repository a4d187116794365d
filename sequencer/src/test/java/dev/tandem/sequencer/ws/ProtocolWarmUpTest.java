package dev.tandem.sequencer.ws;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import org.junit.jupiter.api.Test;

/** The warm-up's messages stay valid protocol: one that no longer parses would make it throw. */
class ProtocolWarmUpTest {
  @Test
  void itsMessagesAreValidProtocol() {
    assertDoesNotThrow(ProtocolWarmUp::run);
  }
}
