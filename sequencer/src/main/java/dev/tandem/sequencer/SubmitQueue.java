package dev.tandem.sequencer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The submits waiting for one document: a FIFO lane per sender (a WebSocket, or a REST user),
 * served round-robin, so a client that floods a document delays another client's submit by at most
 * one submit per flooding lane, whatever their depth. Keeps the count and the cost of what waits.
 * Not thread-safe: owned by the document's sequencer.
 */
final class SubmitQueue {
  private final LinkedHashMap<Object, ArrayDeque<SubmitRequest>> lanes = new LinkedHashMap<>();
  private int size;
  private long cost;

  void add(SubmitRequest request) {
    lanes.computeIfAbsent(request.lane(), lane -> new ArrayDeque<>()).addLast(request);
    size++;
    cost += request.cost();
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  /** The sum of the waiting submits' costs. */
  long cost() {
    return cost;
  }

  /**
   * Takes the next submit in round-robin order among the lanes whose first submit {@code ready}
   * accepts; its lane moves to the back. Null if no lane's first submit is ready.
   */
  SubmitRequest poll(Predicate<SubmitRequest> ready) {
    Iterator<Map.Entry<Object, ArrayDeque<SubmitRequest>>> it = lanes.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Object, ArrayDeque<SubmitRequest>> lane = it.next();
      SubmitRequest first = lane.getValue().peekFirst();
      if (ready.test(first)) {
        lane.getValue().removeFirst();
        it.remove();
        if (!lane.getValue().isEmpty()) {
          lanes.put(lane.getKey(), lane.getValue()); // to the back
        }
        taken(first);
        return first;
      }
    }
    return null;
  }

  /** The first lane's first submit that {@code wanted} accepts, left in place; or null. */
  SubmitRequest peekFirst(Predicate<SubmitRequest> wanted) {
    for (ArrayDeque<SubmitRequest> lane : lanes.values()) {
      if (wanted.test(lane.peekFirst())) {
        return lane.peekFirst();
      }
    }
    return null;
  }

  /** Removes {@code request} if it waits here. */
  void remove(SubmitRequest request) {
    ArrayDeque<SubmitRequest> lane = lanes.get(request.lane());
    if (lane != null && lane.removeFirstOccurrence(request)) {
      if (lane.isEmpty()) {
        lanes.remove(request.lane());
      }
      taken(request);
    }
  }

  /** Removes and returns every waiting submit. */
  List<SubmitRequest> drain() {
    List<SubmitRequest> all = new ArrayList<>(size);
    lanes.values().forEach(all::addAll);
    lanes.clear();
    size = 0;
    cost = 0;
    return all;
  }

  private void taken(SubmitRequest request) {
    size--;
    cost -= request.cost();
  }
}
