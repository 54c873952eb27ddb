package dev.virtsaga.devstack;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Runs short-lived commands and controls child processes; shared by the devstack classes (public
 * for the simulators in sub-packages, not an API for other modules).
 */
public final class Exec {
  private Exec() {}

  /** The outcome of a finished command: exit code and combined stdout/stderr. */
  public record Result(List<String> command, int exitCode, String output) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** Throws a readable error unless the command succeeded. */
    public Result orThrow() {
      if (!ok()) {
        throw new IllegalStateException(
            "command failed (exit " + exitCode + "): " + String.join(" ", command) + "\n" + output);
      }
      return this;
    }
  }

  /** Runs a command to completion, bounded by {@code timeout}; output is captured, not shown. */
  public static Result run(List<String> command, Map<String, String> env, Duration timeout) {
    Path out = null;
    try {
      out = Files.createTempFile("devstack-exec", ".log");
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(new File("/"))
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        destroyTree(process, Duration.ofSeconds(2));
        throw new IllegalStateException(
            "command timed out after "
                + timeout.toSeconds()
                + " s: "
                + String.join(" ", command)
                + "\n"
                + Files.readString(out, StandardCharsets.UTF_8));
      }
      return new Result(
          List.copyOf(command), process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException ignored) {
          // a leftover temp file is harmless
        }
      }
    }
  }

  /** Whether an executable of that name is on the PATH (or in the sbin directories). */
  public static boolean onPath(String executable) {
    String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, executable))) {
        return true;
      }
    }
    return false;
  }

  /** The {@code java} launcher of the running JVM. */
  static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * Prefix that puts a child in its own session, so a Ctrl-C in the terminal reaches only our JVM
   * and we stop children in order; empty where {@code setsid} is missing.
   */
  public static List<String> newSessionPrefix() {
    return onPath("setsid") ? List.of("setsid") : List.of();
  }

  /**
   * Stops a process, then its descendants: SIGTERM to the process alone (so it can stop its own
   * children in order), SIGKILL after {@code grace}; then whatever of its descendants outlived it
   * gets SIGTERM and, 5 s later, SIGKILL. Returns once the process has exited.
   */
  public static void destroyTree(Process process, Duration grace) {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
      List<ProcessHandle> leftovers = descendants.stream().filter(ProcessHandle::isAlive).toList();
      leftovers.forEach(ProcessHandle::destroy);
      for (ProcessHandle leftover : leftovers) {
        try {
          leftover.onExit().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
          leftover.destroyForcibly();
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      descendants.forEach(ProcessHandle::destroyForcibly);
      Thread.currentThread().interrupt();
    }
  }

  /** Kills a process and its descendants with SIGKILL and waits until it is gone. */
  public static void killTree(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The last {@code lines} lines of a text file (from its last 256 KiB), or a note. */
  public static String tail(Path file, int lines) {
    if (!Files.isReadable(file)) {
      return "(no log at " + file + ")";
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long start = Math.max(0, raf.length() - 256 * 1024);
      byte[] bytes = new byte[(int) (raf.length() - start)];
      raf.seek(start);
      raf.readFully(bytes);
      List<String> all = new String(bytes, StandardCharsets.UTF_8).lines().toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(log " + file + " not readable: " + e.getMessage() + ")";
    }
  }

  /** Deletes a directory tree; missing is fine. */
  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }
}
