package io.colony.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

  @Test
  void portsComeFromBelowTheEphemeralRangeAndBind() throws IOException {
    int ephemeral = FreePorts.ephemeralLow();
    for (int i = 0; i < 20; i++) {
      int port = FreePorts.next();
      assertTrue(port >= 1024 && port < ephemeral, port + " is below " + ephemeral);
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
        assertEquals(port, socket.getLocalPort());
      }
    }
  }

  @Test
  void noPortIsHandedOutTwice() {
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      int base = FreePorts.consecutive(3);
      for (int port = base; port < base + 3; port++) {
        assertTrue(seen.add(port), "port " + port + " handed out twice");
      }
    }
  }
}
