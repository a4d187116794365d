package dev.tandem.sequencer.ws;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Tyrus's scheduler, without the idle-timeout tasks that can never come due. Tyrus cancels a
 * socket's idle-timeout task and schedules a new one for every message sent or received; with
 * sockets that never time out ({@link WebSocketContainer#NO_IDLE_TIMEOUT_MILLIS}) that churn only
 * re-sorts the scheduler's queue under its lock (8% of the server's CPU with 500 editors on a
 * document). A task scheduled that far ahead is not queued: it gets a future that is never done.
 * Everything else goes to Tyrus's scheduler.
 */
final class IdleTimerScheduler implements ScheduledExecutorService {
  private final ScheduledExecutorService delegate;
  private final long neverMillis;

  /** Tasks scheduled {@code neverMillis} or more ahead are dropped. */
  IdleTimerScheduler(ScheduledExecutorService delegate, long neverMillis) {
    this.delegate = delegate;
    this.neverMillis = neverMillis;
  }

  ScheduledExecutorService delegate() {
    return delegate;
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return unit.toMillis(delay) >= neverMillis
        ? new NeverDue<>(unit.toMillis(delay))
        : delegate.schedule(command, delay, unit);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return unit.toMillis(delay) >= neverMillis
        ? new NeverDue<>(unit.toMillis(delay))
        : delegate.schedule(callable, delay, unit);
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    return delegate.scheduleAtFixedRate(command, initialDelay, period, unit);
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return delegate.scheduleWithFixedDelay(command, initialDelay, delay, unit);
  }

  @Override
  public void shutdown() {
    delegate.shutdown();
  }

  @Override
  public List<Runnable> shutdownNow() {
    return delegate.shutdownNow();
  }

  @Override
  public boolean isShutdown() {
    return delegate.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return delegate.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return delegate.awaitTermination(timeout, unit);
  }

  @Override
  public <T> Future<T> submit(Callable<T> task) {
    return delegate.submit(task);
  }

  @Override
  public <T> Future<T> submit(Runnable task, T result) {
    return delegate.submit(task, result);
  }

  @Override
  public Future<?> submit(Runnable task) {
    return delegate.submit(task);
  }

  @Override
  public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks)
      throws InterruptedException {
    return delegate.invokeAll(tasks);
  }

  @Override
  public <T> List<Future<T>> invokeAll(
      Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws InterruptedException {
    return delegate.invokeAll(tasks, timeout, unit);
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks)
      throws InterruptedException, ExecutionException {
    return delegate.invokeAny(tasks);
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    return delegate.invokeAny(tasks, timeout, unit);
  }

  @Override
  public void execute(Runnable command) {
    delegate.execute(command);
  }

  /** The future of a task that is not run: cancelling it is free. */
  private static final class NeverDue<V> implements ScheduledFuture<V> {
    private final long delayMillis;
    private volatile boolean cancelled;

    NeverDue(long delayMillis) {
      this.delayMillis = delayMillis;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(delayMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(getDelay(TimeUnit.MILLISECONDS), other.getDelay(TimeUnit.MILLISECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      cancelled = true;
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return cancelled;
    }

    @Override
    public V get() {
      throw new UnsupportedOperationException("a task that is never due has no result");
    }

    @Override
    public V get(long timeout, TimeUnit unit) throws TimeoutException {
      throw new TimeoutException("a task that is never due has no result");
    }
  }
}
