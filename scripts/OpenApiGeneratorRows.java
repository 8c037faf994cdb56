// Runs several openapi-generator command lines in one JVM, for scripts/generate.py: starting and
// warming up a JVM costs more than one generation, and the openapi-generator rows are nine.
//
//   java -cp openapi-generator.jar scripts/OpenApiGeneratorRows.java ROW-FILE...
//
// Each ROW-FILE holds the arguments of one `openapi-generator generate` call, one per line. Before
// each row this prints MARKER and the file's path on a line of its own, so the caller can give every
// row its own log (the generator logs to standard output). A row that throws ends the run with a
// non-zero status: the rows after it are not run.

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.openapitools.codegen.OpenAPIGenerator;

public final class OpenApiGeneratorRows {
    static final String MARKER = "@@openapi-generator-row ";

    public static void main(String[] rowFiles) throws Exception {
        for (String rowFile : rowFiles) {
            List<String> arguments = Files.readAllLines(Path.of(rowFile));
            System.err.flush();
            System.out.println(MARKER + rowFile);
            System.out.flush();
            // Returns when the generation is done; throws when it fails (it exits only on an empty or
            // unparsable command line, which scripts/generate.py never writes).
            OpenAPIGenerator.main(arguments.toArray(new String[0]));
            System.out.flush();
            System.err.flush();
        }
    }

    private OpenApiGeneratorRows() {}
}
