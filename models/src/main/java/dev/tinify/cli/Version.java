package dev.tinify.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code tinify --version}: the version of the build, as the pom names it (a filtered resource). */
final class Version implements IVersionProvider {
    static final String RESOURCE = "tinify/version.properties";

    @Override
    public String[] getVersion() {
        return new String[] {"tinify " + version()};
    }

    /** The build's version, e.g. {@code 0.1.0-SNAPSHOT}. */
    static String version() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the build");
            }
            p.load(in);
        } catch (IOException e) {
            throw new IllegalStateException(RESOURCE + ": " + e.getMessage(), e);
        }
        return p.getProperty("version", "unknown");
    }
}
