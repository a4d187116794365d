package dev.tandem.sequencer.document;

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
 * one submit per flooding lane, whatever their depth. Every turn a lane gets, a submit taken or a
 * read of older history started for it, sends it to the back. The cost bound is shared the same
 * way: when it is reached, room is made by refusing the newest submits of the costliest lane, so a
 * flood fills its own lane, never another sender's. Not thread-safe: owned by the document's
 * sequencer.
 */
final class SubmitQueue {
  private final LinkedHashMap<Object, Lane> lanes = new LinkedHashMap<>();
  private int size;
  private long cost;

  /** One sender's waiting submits, oldest first, and the sum of their costs. */
  private static final class Lane {
    final ArrayDeque<SubmitRequest> requests = new ArrayDeque<>();
    long cost;
  }

  /** What {@link #admit} did: whether the newcomer waits, and whose submits made room for it. */
  record Admission(boolean admitted, List<SubmitRequest> refused) {}

  /**
   * Adds {@code request} within {@code costLimit}. While the waiting cost would exceed it, the
   * newest submit of the costliest other lane is refused, as long as that lane would still cost
   * more than the newcomer's; a lane's first submit is never refused this way (it may be under
   * way). If the bound still does not hold, the newcomer is refused, unless its lane is empty:
   * every sender may always have one submit waiting, however costly, so every base makes progress.
   */
  Admission admit(SubmitRequest request, long costLimit) {
    Lane own = lanes.get(request.lane());
    long ownCost = (own == null ? 0 : own.cost) + request.cost();
    List<SubmitRequest> refused = new ArrayList<>(0);
    while (cost + request.cost() > costLimit) {
      Lane costliest = costliestOther(request.lane());
      if (costliest == null || costliest.cost <= ownCost || costliest.requests.size() < 2) {
        break;
      }
      refused.add(removeNewest(costliest));
    }
    boolean admitted = cost + request.cost() <= costLimit || own == null;
    if (admitted) {
      add(request);
    }
    return new Admission(admitted, refused);
  }

  private Lane costliestOther(Object lane) {
    Lane costliest = null;
    for (Map.Entry<Object, Lane> entry : lanes.entrySet()) {
      if (!entry.getKey().equals(lane)
          && (costliest == null || entry.getValue().cost > costliest.cost)) {
        costliest = entry.getValue();
      }
    }
    return costliest;
  }

  void add(SubmitRequest request) {
    Lane lane = lanes.computeIfAbsent(request.lane(), key -> new Lane());
    lane.requests.addLast(request);
    lane.cost += request.cost();
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
    Iterator<Map.Entry<Object, Lane>> it = lanes.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Object, Lane> entry = it.next();
      Lane lane = entry.getValue();
      SubmitRequest first = lane.requests.peekFirst();
      if (ready.test(first)) {
        lane.requests.removeFirst();
        lane.cost -= first.cost();
        it.remove();
        if (!lane.requests.isEmpty()) {
          lanes.put(entry.getKey(), lane); // to the back
        }
        taken(first);
        return first;
      }
    }
    return null;
  }

  /**
   * The first submit, in round-robin order, of a lane whose first submit {@code wanted} accepts,
   * left in place; that lane moves to the back, as its turn. Null if there is none.
   */
  SubmitRequest takeTurn(Predicate<SubmitRequest> wanted) {
    for (Map.Entry<Object, Lane> entry : lanes.entrySet()) {
      SubmitRequest first = entry.getValue().requests.peekFirst();
      if (wanted.test(first)) {
        Object key = entry.getKey();
        lanes.put(key, lanes.remove(key)); // to the back
        return first;
      }
    }
    return null;
  }

  /** Up to {@code max} lanes' first submits that {@code wanted} accepts, in round-robin order. */
  List<SubmitRequest> firsts(Predicate<SubmitRequest> wanted, int max) {
    List<SubmitRequest> firsts = new ArrayList<>();
    for (Lane lane : lanes.values()) {
      if (firsts.size() == max) {
        break;
      }
      if (wanted.test(lane.requests.peekFirst())) {
        firsts.add(lane.requests.peekFirst());
      }
    }
    return firsts;
  }

  /** Whether {@code request} is the first of its lane (the next of its sender's to be taken). */
  boolean isFirst(SubmitRequest request) {
    Lane lane = lanes.get(request.lane());
    return lane != null && lane.requests.peekFirst() == request;
  }

  /** Removes {@code request} if it waits here. */
  void remove(SubmitRequest request) {
    Lane lane = lanes.get(request.lane());
    if (lane != null && lane.requests.removeFirstOccurrence(request)) {
      lane.cost -= request.cost();
      if (lane.requests.isEmpty()) {
        lanes.remove(request.lane());
      }
      taken(request);
    }
  }

  /**
   * Removes and returns the submits of {@code lane} after its first, newest first; the first stays,
   * since it may be under way (as with the cost bound's refusals).
   */
  List<SubmitRequest> removeAfterFirst(Object lane) {
    Lane queued = lanes.get(lane);
    List<SubmitRequest> removed = new ArrayList<>(0);
    while (queued != null && queued.requests.size() > 1) {
      removed.add(removeNewest(queued));
    }
    return removed;
  }

  private SubmitRequest removeNewest(Lane lane) {
    SubmitRequest newest = lane.requests.removeLast();
    lane.cost -= newest.cost();
    taken(newest);
    return newest;
  }

  /** Removes and returns every waiting submit. */
  List<SubmitRequest> drain() {
    List<SubmitRequest> all = new ArrayList<>(size);
    lanes.values().forEach(lane -> all.addAll(lane.requests));
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
