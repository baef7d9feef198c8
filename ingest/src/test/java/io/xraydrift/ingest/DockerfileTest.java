package io.xraydrift.ingest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The services' image as ingest runs in it (no Docker engine here to run it): the state directory
 * the DICOMweb poller writes its watermark to is set, created and owned by the user the service
 * runs as.
 */
class DockerfileTest {

    @Test
    void theStateDirectoryExistsAndBelongsToTheServiceUser() throws Exception {
        String file = Files.readString(Path.of("..", "Dockerfile"));
        Matcher env = Pattern.compile(IngestConfig.STATE_DIR + "=(\\S+)").matcher(file);
        assertTrue(env.find(), "the image sets " + IngestConfig.STATE_DIR);
        String dir = env.group(1);
        Matcher user = Pattern.compile("(?m)^USER (\\d+)").matcher(file);
        assertTrue(user.find(), "the image runs as a numeric user");
        assertTrue(
                Pattern.compile("(?m)^RUN mkdir -p [^\\n]*" + Pattern.quote(dir) + "[^\\n]*&& chown -R " + user.group(1)
                                + ":" + user.group(1) + " " + Pattern.quote(dir.substring(0, dir.lastIndexOf('/'))))
                        .matcher(file)
                        .find(),
                dir + " is created and owned by user " + user.group(1) + ":\n" + file);
    }
}
