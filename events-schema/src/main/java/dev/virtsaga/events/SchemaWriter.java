package dev.virtsaga.events;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the generated schema of every event type into a directory (default: the committed
 * schemas). Run it after a deliberate, compatible contract change; {@code SchemaContractTest} fails
 * until the committed schemas match the records and tells how.
 */
public final class SchemaWriter {
  private SchemaWriter() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "src/main/resources/schemas");
    Files.createDirectories(dir);
    for (String type : EventCatalog.types()) {
      Path file = dir.resolve(type + ".json");
      Files.writeString(
          file,
          Json.mapper()
                  .writerWithDefaultPrettyPrinter()
                  .writeValueAsString(EventSchemas.generate(type))
              + "\n");
    }
  }
}
